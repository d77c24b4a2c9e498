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
 * then breaks only where probes really stopped, or at a failed probe (`failed[i]`), whose slot
 * has no latency and must not carry the last good one forward.
 */
export function holdProbeValues(values: readonly (number | null)[], failed: readonly boolean[] = []): (number | null)[] {
  const at: number[] = [];
  values.forEach((value, index) => {
    if (value !== null || failed[index] === true) at.push(index);
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
    if (failed[index] === true) {
      last = null;
      lastIndex = index;
      return null;
    }
    if (value !== null) {
      last = value;
      lastIndex = index;
      return value;
    }
    return index - lastIndex < hold ? last : null;
  });
}

/**
 * A slot in which a probe failed. A failed probe's duration is how long it took to fail (a refused
 * connect: a few milliseconds), not a latency; in minute slots the median mixes it with the good
 * ones, so any failure makes the slot a failure.
 */
export const probeFailed = (p: LatencyPoint): boolean => p.rps > 0 && (p.errorRate ?? 0) > 0;

/** The probe latency of each slot: the median of its probes (there is one per 1 s slot); none where a probe failed. */
export const probeValue = (p: LatencyPoint): number | null => (probeFailed(p) ? null : p.p50Ms);

/** Each slot's probe latency, held until the next probe is due, and which slots failed (drawn as marks, never as a latency). */
export function probeSlots(points: readonly LatencyPoint[]): { values: (number | null)[]; failed: boolean[] } {
  const failed = points.map(probeFailed);
  return { values: holdProbeValues(points.map(probeValue), failed), failed };
}

export interface ProbeLine {
  /** recharts reads dotted keys as paths; instance ids may contain dots. */
  dataKey: string;
  id: string;
  key: string;
  latest: number | null;
  failing: boolean;
}

/** `s{i}`: line i's latency; `f{i}`: 0 where line i's probe failed (a mark on the axis), else null. */
export type ProbeRow = { t: number } & Record<string, number | null>;

/** The row key of line `dataKey`'s failure marks. */
export const failedKey = (dataKey: string): string => `f${dataKey.slice(1)}`;

export interface ProbeChartData {
  lines: ProbeLine[];
  rows: ProbeRow[];
  /** Instances with any probe result in the window. */
  total: number;
}

function latestProbe(points: readonly LatencyPoint[]): { value: number | null; failing: boolean; probed: boolean } {
  for (let i = points.length - 1; i >= 0; i -= 1) {
    const point = points[i] as LatencyPoint;
    if (probeFailed(point)) return { value: null, failing: true, probed: true };
    const value = probeValue(point);
    if (value !== null) return { value, failing: false, probed: true };
  }
  return { value: null, failing: false, probed: false };
}

/** Failing first, then slowest latest probe, then id: the instances worth a look on top. A failing one has no latest latency. */
export function rankProbes(instances: readonly InstanceLatency[]): Array<{ instance: InstanceLatency; latest: number | null; failing: boolean }> {
  return instances
    .map((instance) => {
      const { value, failing, probed } = latestProbe(instance.probe);
      return { instance, latest: value, failing, probed };
    })
    .filter((entry) => entry.probed)
    .map(({ instance, latest, failing }) => ({ instance, latest, failing }))
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
    const { values, failed } = probeSlots(points);
    points.forEach((point, index) => {
      let row = rowsByTime.get(point.t);
      if (!row) {
        row = { t: point.t } as ProbeRow;
        rowsByTime.set(point.t, row);
      }
      row[`s${i}`] = values[index] ?? null;
      row[`f${i}`] = failed[index] === true ? 0 : null;
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
  /** Per bucket: a probe failed in it (marked under the line; its duration is not a latency). */
  failed: boolean[];
  latest: number | null;
}

/** Any per bucket, aligned with maxPerBucket's buckets. */
export function anyPerBucket(flags: readonly boolean[], buckets: number): boolean[] {
  if (flags.length <= buckets) return [...flags];
  const out: boolean[] = [];
  for (let b = 0; b < buckets; b += 1) {
    const start = Math.floor((b * flags.length) / buckets);
    const end = Math.floor(((b + 1) * flags.length) / buckets);
    out.push(flags.slice(start, end).includes(true));
  }
  return out;
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

/**
 * An instance's inbound p99 when callers report it, else its probe latency; failed probes are left
 * out of the line and marked per bucket (on the inbound line too, when both series cover the same
 * slots). An instance whose every probe failed is still a probe sparkline: all marks, no line.
 */
export function sparklineData(latency: InstanceLatency | undefined, buckets: number): SparklineData {
  if (!latency) return { kind: 'none', values: [], failed: [], latest: null };
  const probe = probeSlots(latency.probe);
  const inbound = latency.inbound.map((p) => p.p99Ms);
  if (inbound.some((v) => v !== null)) {
    const values = maxPerBucket(inbound, buckets);
    const aligned = latency.probe.length === latency.inbound.length && latency.probe[0]?.t === latency.inbound[0]?.t;
    return { kind: 'inbound', values, failed: aligned ? anyPerBucket(probe.failed, buckets) : values.map(() => false), latest: lastValue(inbound) };
  }
  if (probe.values.some((v) => v !== null) || probe.failed.includes(true)) {
    return { kind: 'probe', values: maxPerBucket(probe.values, buckets), failed: anyPerBucket(probe.failed, buckets), latest: lastValue(probe.values) };
  }
  return { kind: 'none', values: [], failed: [], latest: null };
}
