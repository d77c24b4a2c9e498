import type { InstanceLatency, LatencyPoint } from '@/lib/model/latency';

/**
 * Reporters send every few seconds, so the newest 1 s slots are empty until their report lands.
 * Drawing them as zero would show a dip that never happened: a trailing run of empty slots up
 * to this long is left undrawn (the axis still reaches "now"). Longer silences are drawn.
 */
export const REPORT_DELAY_SECONDS = 10;

export interface ChartSeries {
  points: LatencyPoint[];
  /** Axis domain: the whole window, including slots left undrawn. */
  from: number;
  to: number;
  /** Where the slots still receiving reports begin, left undrawn (a shaded band to `to`); null when none are. */
  arrivingFrom: number | null;
}

const isEmpty = (p: LatencyPoint): boolean => p.rps === 0 && p.p99Ms === null;

/**
 * The points to draw. With `arrivingFrom` (the server's: reports of the seconds from there on are
 * still arriving), only slots that ended before it: a newer slot holds only the reporters that have
 * sent so far, so its rate reads low and its error rate is that of whoever reports most often (a
 * spike to 100 % where the settled second says 23 %). Without it, minute slots without the current,
 * still partial minute; 1 s slots without the trailing empty slots that are still being reported.
 */
export function drawableSeries(points: readonly LatencyPoint[], stepSeconds: number, arrivingFrom: number | null = null): ChartSeries {
  const stepMs = stepSeconds * 1_000;
  const from = points[0]?.t ?? 0;
  const last = points[points.length - 1];
  const to = last ? last.t + stepMs : from;
  let end = points.length;
  if (arrivingFrom !== null) {
    while (end > 0 && (points[end - 1] as LatencyPoint).t + stepMs > arrivingFrom) end -= 1;
  } else if (stepSeconds >= 60) {
    end = Math.max(0, end - 1);
  } else {
    const limit = Math.max(0, end - Math.ceil(REPORT_DELAY_SECONDS / stepSeconds));
    while (end > limit && isEmpty(points[end - 1] as LatencyPoint)) end -= 1;
  }
  const firstLeftOut = points[end];
  return { points: points.slice(0, end), from, to, arrivingFrom: arrivingFrom !== null && firstLeftOut ? firstLeftOut.t : null };
}

export function hasCalls(points: readonly LatencyPoint[]): boolean {
  return points.some((p) => p.rps > 0);
}

/** Slots with a value, for the `data-points` counters the tests read. */
export function countValues(values: readonly (number | null | undefined)[]): number {
  let count = 0;
  for (const value of values) if (value !== null && value !== undefined) count += 1;
  return count;
}

/**
 * Probes run every few seconds, so in 1 s slots most are empty by design, not by outage. Each
 * probe's value is held until the next one is due (up to 1.5 × the usual spacing): a line
 * then breaks only where probes really stopped.
 */
export function holdProbeValues(values: readonly (number | null)[]): (number | null)[] {
  const at: number[] = [];
  values.forEach((value, index) => {
    if (value !== null) at.push(index);
  });
  if (at.length < 2) return [...values];
  const gaps = at.slice(1).map((index, i) => index - (at[i] as number));
  gaps.sort((a, b) => a - b);
  const spacing = gaps[Math.floor(gaps.length / 2)] as number;
  if (spacing <= 1) return [...values];
  const hold = spacing * 1.5;
  let last: number | null = null;
  let lastIndex = -Infinity;
  return values.map((value, index) => {
    if (value !== null) {
      last = value;
      lastIndex = index;
      return value;
    }
    return index - lastIndex < hold ? last : null;
  });
}

/** The probe latency of each slot: the median of its probes (there is one per 1 s slot). */
const probeValue = (p: LatencyPoint): number | null => p.p50Ms;

export interface ProbeLine {
  /** recharts reads dotted keys as paths; instance ids may contain dots. */
  dataKey: string;
  id: string;
  key: string;
  latest: number | null;
  failing: boolean;
}

export type ProbeRow = { t: number } & Record<string, number | null>;

export interface ProbeChartData {
  lines: ProbeLine[];
  rows: ProbeRow[];
  /** Instances with any probe result in the window. */
  total: number;
}

function latestProbe(points: readonly LatencyPoint[]): { value: number | null; failing: boolean } {
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const point = points[i] as LatencyPoint;
    const value = probeValue(point);
    if (value !== null) return { value, failing: (point.errorRate ?? 0) > 0 };
  }
  return { value: null, failing: false };
}

/** Failing first, then slowest latest probe, then id: the instances worth a look on top. */
export function rankProbes(instances: readonly InstanceLatency[]): Array<{ instance: InstanceLatency; latest: number | null; failing: boolean }> {
  return instances
    .map((instance) => {
      const { value, failing } = latestProbe(instance.probe);
      return { instance, latest: value, failing };
    })
    .filter((entry) => entry.latest !== null)
    .sort(
      (a, b) =>
        Number(b.failing) - Number(a.failing) ||
        (b.latest ?? 0) - (a.latest ?? 0) ||
        (a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0),
    );
}

/** The `limit` worst instances' probe latency as chart rows, one column per instance. */
export function probeChartData(instances: readonly InstanceLatency[], limit: number, stepSeconds: number): ProbeChartData {
  const ranked = rankProbes(instances);
  const shown = ranked.slice(0, limit);
  const lines: ProbeLine[] = shown.map(({ instance, latest, failing }, i) => ({
    dataKey: `s${i}`,
    id: instance.id,
    key: instance.key,
    latest,
    failing,
  }));
  const rowsByTime = new Map<number, ProbeRow>();
  shown.forEach(({ instance }, i) => {
    // The current slot is still open; a probe may yet land in it.
    const points = stepSeconds >= 60 ? instance.probe.slice(0, -1) : instance.probe;
    const values = holdProbeValues(points.map(probeValue));
    points.forEach((point, index) => {
      let row = rowsByTime.get(point.t);
      if (!row) {
        row = { t: point.t } as ProbeRow;
        rowsByTime.set(point.t, row);
      }
      row[`s${i}`] = values[index] ?? null;
    });
  });
  const rows = [...rowsByTime.values()].sort((a, b) => a.t - b.t);
  return { lines, rows, total: ranked.length };
}

export type SparklineKind = 'inbound' | 'probe' | 'none';

export interface SparklineData {
  kind: SparklineKind;
  /** At most `buckets` values, each the highest of its slots (worst case, never an average). */
  values: (number | null)[];
  latest: number | null;
}

function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}

/** Highest value per bucket: a 90 px line cannot show 900 slots, and must not hide a spike. */
export function maxPerBucket(values: readonly (number | null)[], buckets: number): (number | null)[] {
  if (values.length <= buckets) return [...values];
  const out: (number | null)[] = [];
  for (let b = 0; b < buckets; b += 1) {
    const start = Math.floor((b * values.length) / buckets);
    const end = Math.floor(((b + 1) * values.length) / buckets);
    let max: number | null = null;
    for (let i = start; i < end; i += 1) {
      const value = values[i];
      if (value !== null && value !== undefined && (max === null || value > max)) max = value;
    }
    out.push(max);
  }
  return out;
}

/** An instance's inbound p99 when callers report it, else its probe latency. */
export function sparklineData(latency: InstanceLatency | undefined, buckets: number): SparklineData {
  if (!latency) return { kind: 'none', values: [], latest: null };
  const inbound = latency.inbound.map((p) => p.p99Ms);
  if (inbound.some((v) => v !== null)) return { kind: 'inbound', values: maxPerBucket(inbound, buckets), latest: lastValue(inbound) };
  const probe = holdProbeValues(latency.probe.map(probeValue));
  if (probe.some((v) => v !== null)) return { kind: 'probe', values: maxPerBucket(probe, buckets), latest: lastValue(probe) };
  return { kind: 'none', values: [], latest: null };
}
