import { dropOldest, moveToNewest } from '@/lib/model/bounded-map';
import { MAX_COUNT, type CallStats, type IngestBatch } from '@/lib/model/ingest';
import type { CalleeSeries } from '@/lib/model/otlp/authority';
import { EDGE_WINDOW_SECONDS, type EdgeStats, type LatencyPoint, type LatencyWindow, type ObservedNodeKind, type RecentCalls } from '@/lib/model/latency';
import { cleanAgain, DEFAULT_TRAFFIC_THRESHOLDS, RECOVERY_SECONDS, TRAFFIC_WINDOW_SECONDS } from '@/lib/model/status/combine';
import { clampLatency } from './histogram';
import { PROBE_GRACE_SECONDS, REPORT_GRACE_SECONDS, Series } from './series';
import { shapedBuckets, shapedValues } from './shapes';
import { CallKeyMemory, type CallKeys } from './call-keys';
import { edgeKey, instanceKey, isEdgeKey, isProbeKey, keyNames, probeKey, serviceKey } from './series-key';
import { FIELDS } from './slots';
import { apartFromOurClock, MAX_SKEW_SECONDS, TRUSTED_SKEW_SECONDS } from './skew';

/** A series moves to the newest end of its pool's order at most this often. */
const LRU_MOVE_EVERY_MS = 5_000;
/**
 * How long an edge this run saw calls on stays listed after its last call, idle (s): the layout's
 * hold. A callee that hangs reports no calls (they never finish), and a caller calling every few
 * minutes has empty minutes between its calls; dropped at its first empty minute, the edge took the
 * likely origin with it and blinked on and off the map.
 */
const EDGE_HOLD_SECONDS = 15 * 60;


export type IngestOutcome = { ok: true; calls: number; reanchored: boolean } | { ok: false; field: string; message: string };

/** Calls observed by other means than an ingest batch (OTLP metrics), recorded the same way. */
export interface CallObservation {
  /** The caller, when known: the edge `from → to` is recorded. */
  from?: string;
  to: string;
  toInstance?: string;
  /** Whether the callee's service (and instance) series count these calls too. */
  countsForCallee: boolean;
  /** Interval on the reporter's clock, seconds since the epoch. */
  startSecond: number;
  intervalSeconds: number;
  count: number;
  errors: number;
  /** Latency buckets in ms: `counts` has one more entry than `bounds`. */
  bounds: readonly number[];
  counts: readonly number[];
  /** A node outside the registry the calls said the kind of (a queue, a database: OTLP spans). */
  node?: { name: string; kind: ObservedNodeKind };
}

export interface MetricsStoreOptions {
  now?: () => number;
  /** Call series (service, instance, edge) beyond this many are evicted, least recently updated first (up to ~47 KB each once they hold a day of data; their rings grow as data arrives). */
  maxSeries?: number;
  /** Probe series (one per instance) are capped apart, so probes never evict call series. */
  maxProbeSeries?: number;
  /** Every interval of calls recorded here from ingest or OTLP, placed on our clock (replicas pass it on). */
  onRecorded?: (observation: CallObservation) => void;
  /** Every sweep's closed minute slots, for persisting (called synchronously; the arrays are the callee's to keep). */
  onMinutesClosed?: (closed: ClosedMinutes) => void;
  /** Whether this process persists closed minutes now (the replicas' leader); when false, a sweep does not collect them. Always when unset. */
  persistsMinutes?: () => boolean;
}

/** Read for what nothing was recorded about: zero-filled points (reading never changes a series). */
const NO_DATA = new Series();

/** Minute slots closed by one sweep: series keys (`series-key.ts`), and FIELDS floats per slot as the rings keep them. */
export interface ClosedMinutes {
  keys: string[];
  /** Slot starts, seconds since the epoch. */
  minuteStarts: number[];
  fields: Float32Array;
}

/**
 * Call and probe statistics per service, instance and edge, from merged distributions.
 * Bounded: a fixed number of slots per series and a cap on series.
 */
/** Call and probe latency series: 1 s and 1 min slots per service, instance, edge and probed key. */
export interface MetricsStore {
  /**
   * Records a reporter's batch (`POST /api/v1/ingest`), anchored to the server's clock.
   * `calleeSeries`: which of the callee's series a call to `service` (`instance` when it names one) feeds besides the edge
   * (none: the callee reports its server side itself); by default its service's and instance's.
   */
  ingest(batch: IngestBatch, calleeSeries?: (service: string, instance: string | undefined) => CalleeSeries): IngestOutcome;
  /** Records observed calls (OTLP); false when a count is beyond ingest's bound or the clock is more than a day off. */
  observe(observation: CallObservation): boolean;
  /** Records calls another replica recorded, without passing them on. */
  replay(observation: CallObservation): void;
  /** Records one probe of an instance key. */
  recordProbe(key: string, atMs: number, latencyMs: number, ok: boolean): void;
  /** A service's inbound series over `window` (service latency chart). */
  service(service: string, window: LatencyWindow): LatencyPoint[];
  /** Where a service's inbound series may still grow (ms: reports of the seconds from here are still arriving); null when none arrived lately. */
  serviceArrivingFrom(service: string): number | null;
  /** The same for one instance's inbound series (whether its quiet seconds are all reported: drain). */
  instanceArrivingFrom(service: string, id: string): number | null;
  /** One instance's inbound series over `window` (instance sparklines). */
  instance(service: string, id: string, window: LatencyWindow): LatencyPoint[];
  /** One caller→callee edge's series over `window` (the map's edge panel). */
  edge(from: string, to: string, window: LatencyWindow): LatencyPoint[];
  /** One instance key's probe series over `window` (probe chart). */
  probe(key: string, window: LatencyWindow): LatencyPoint[];
  /** The caller→callee pairs `edges()` would list, without their figures (the layout's, and the incidents' dependencies). */
  edgePairs(): { from: string; to: string }[];
  /** Reported calls to one instance over the last `windowSeconds`: totals and a call-weighted p95. */
  instanceRecent(service: string, id: string, windowSeconds: number): RecentCalls;
  /** The same for a whole service (its latency status judges all its calls together). */
  serviceRecent(service: string, windowSeconds: number): RecentCalls;
  /** The median of a service's per-minute p95 over the last hour; null with fewer than 5 minutes of calls. */
  serviceBaselineP95(service: string): number | null;
  /** Every edge held (`EDGE_HOLD_SECONDS`) with its last minute's rate, errors and latency (topology, the map page, likely origin, alerts). */
  edges(): EdgeStats[];
  /** Closes slots past their grace period. */
  sweep(): void;
  /** Closes every open slot as it stands (a clean stop): the minutes so far are persisted, not lost. */
  closeOpenSlots(): void;
  /** Puts back minute slots an earlier run persisted, for one series (a `series-key.ts` key). */
  restorerFor(key: string): (minuteStart: number, fields: ArrayLike<number>) => void;
  /** Series counts and how often a reporter's clock was re-anchored. */
  stats(): { series: number; probeSeries: number; reanchored: number };
}

export function createMetricsStore(options: MetricsStoreOptions = {}): MetricsStore {
  const now = options.now ?? Date.now;
  const series = new Map<string, Series>();
  const probes = new Map<string, Series>();
  /** Observed node name → kind, at most one per call series (least recently observed forgotten first). */
  const nodeKinds = new Map<string, ObservedNodeKind>();
  const maxSeries = options.maxSeries ?? 4_000;
  let reanchored = 0;

  const noteKind = (node: { name: string; kind: ObservedNodeKind }): void => {
    nodeKinds.delete(node.name);
    nodeKinds.set(node.name, node.kind);
    dropOldest(nodeKinds, maxSeries);
  };
  const kindsOf = (from: string, to: string): Pick<EdgeStats, 'fromKind' | 'toKind'> => {
    const fromKind = nodeKinds.get(from);
    const toKind = nodeKinds.get(to);
    return { ...(fromKind ? { fromKind } : {}), ...(toKind ? { toKind } : {}) };
  };

  /** The median of a series' per-minute p95 over the last hour (its usual latency); null with fewer than 5 minutes of calls. */
  const medianP95 = (found: Series): number | null => {
    const values = found
      .points('1h', now() / 1_000)
      .map((point) => point.p95Ms)
      .filter((value): value is number => value !== null)
      .sort((a, b) => a - b);
    if (values.length < 5) return null;
    const middle = Math.floor(values.length / 2);
    return values.length % 2 === 1 ? (values[middle] as number) : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
  };

  const arrivingFromMs = (key: string): number | null => {
    const second = series.get(key)?.arrivingFrom(now() / 1_000);
    return second === undefined || second === null ? null : second * 1_000;
  };
  /** Nothing allocated for a series no one reports calls to. */
  const recentOf = (key: string, windowSeconds: number): RecentCalls => {
    const found = series.get(key);
    if (!found) return { calls: 0, errors: 0, p95Ms: null };
    // Up to now while reports fill at least half the window (frequent reporters: a burst counts as
    // soon as its first report is in); else up to the newest report, while the next is not due.
    const { count, errors, p95 } = found.lastSeconds(found.judgedUntil(now() / 1_000, windowSeconds / 2), windowSeconds);
    return { calls: count, errors, p95Ms: count > 0 ? p95 : null };
  };

  /**
   * Finds or creates a series, keeping `pool` in least-recently-updated order (to within LRU_MOVE_EVERY_MS) and within `cap`.
   * `at`: the clock, read once by the caller for all the series one report feeds.
   */
  const seriesIn = (pool: Map<string, Series>, cap: number, graceSeconds: number, kind: 'calls' | 'probes') => (key: string, at: number): Series => {
    let found = pool.get(key);
    if (found) {
      moveToNewest(pool, key, found, at, LRU_MOVE_EVERY_MS);
      return found;
    }
    found = new Series(graceSeconds, kind);
    found.movedAt = at;
    pool.set(key, found);
    dropOldest(pool, cap);
    return found;
  };
  const seriesFor = seriesIn(series, maxSeries, REPORT_GRACE_SECONDS, 'calls');
  const probeSeriesFor = seriesIn(probes, options.maxProbeSeries ?? 10_000, PROBE_GRACE_SECONDS, 'probes');

  const sweepUntil = (nowSecond: number): void => {
    const keys: string[] = [];
    const minuteStarts: number[] = [];
    const closedFields: number[] = [];
    const collect = options.onMinutesClosed !== undefined && (options.persistsMinutes?.() ?? true);
    const sweepPool = (pool: Map<string, Series>): void => {
      for (const [key, found] of pool) {
        found.sweep(
          nowSecond,
          collect
            ? (minuteStart, fields) => {
                keys.push(key);
                minuteStarts.push(minuteStart);
                for (let i = 0; i < FIELDS; i += 1) closedFields.push(fields[i] ?? NaN);
              }
            : undefined,
        );
      }
    };
    sweepPool(series);
    sweepPool(probes);
    if (keys.length > 0) options.onMinutesClosed?.({ keys, minuteStarts, fields: Float32Array.from(closedFields) });
  };

  const read = (pool: Map<string, Series>, key: string, window: LatencyWindow): LatencyPoint[] => {
    const nowSecond = now() / 1_000;
    return (pool.get(key) ?? NO_DATA).points(window, nowSecond);
  };

  /** Where an interval lands on our clock (`atMs`): as reported within the trusted skew, else ending now; refused beyond a day. */
  const anchor = (startSecond: number, intervalSeconds: number, atMs: number): { ok: true; start: number; reanchored: boolean } | { ok: false; skew: number } => {
    const nowSecond = atMs / 1_000;
    const skew = startSecond + intervalSeconds - nowSecond;
    if (!(Math.abs(skew) <= MAX_SKEW_SECONDS)) return { ok: false, skew };
    // A skewed clock would put calls in the wrong place, or in slots already closed: take our clock instead.
    if (Math.abs(skew) > TRUSTED_SKEW_SECONDS) {
      reanchored += 1;
      return { ok: true, start: nowSecond - intervalSeconds, reanchored: true };
    }
    return { ok: true, start: startSecond, reanchored: false };
  };

  /** The one recording path: an interval's calls into the callee's service and instance series and the edge. */
  const recordCalls = (start: number, intervalSeconds: number, call: Omit<CallObservation, 'startSecond' | 'intervalSeconds'>, at: number, keys?: CallKeys): void => {
    // Made once, shared by every slot of the three series; its shape interned (`shapes.ts`).
    const values = shapedBuckets(call.bounds, call.counts);
    if (call.countsForCallee) {
      // Each series keeps how far back its reports reach on arrival: its charts and its verdicts' window (`judgedUntil`) need it.
      seriesFor(keys?.service ?? serviceKey(call.to), at).record(start, intervalSeconds, call.count, call.errors, values, at / 1_000);
      if (call.toInstance) seriesFor(keys?.instance ?? instanceKey(call.to, call.toInstance), at).record(start, intervalSeconds, call.count, call.errors, values, at / 1_000);
    }
    if (call.from !== undefined) seriesFor(keys?.edge ?? edgeKey(call.from, call.to), at).record(start, intervalSeconds, call.count, call.errors, values, at / 1_000);
  };
  const recordAndTell = (start: number, intervalSeconds: number, call: Omit<CallObservation, 'startSecond' | 'intervalSeconds'>, at: number, keys?: CallKeys): void => {
    recordCalls(start, intervalSeconds, call, at, keys);
    options.onRecorded?.({ ...call, startSecond: start, intervalSeconds });
  };
  const callKeys = new CallKeyMemory();
  /**
   * An edge's caller and callee while it is listed: this run recorded calls on it, the last within
   * EDGE_HOLD_SECONDS, whatever its ends' status: calls of days ago say nothing of why both fail now,
   * and naming the callee the origin from them held the caller's alert. Minutes restored from an
   * earlier run are no calls (`lastCall`): after a restart with another fleet they kept the old fleet
   * on the map as "not registered" nodes.
   */
  const heldEdge = (key: string, found: Series, nowSecond: number): [from: string, to: string] | null => {
    const lastCall = found.lastCall();
    if (!isEdgeKey(key) || !(lastCall > 0) || lastCall < nowSecond - EDGE_HOLD_SECONDS) return null;
    const [from = '', to = ''] = keyNames(key);
    return [from, to];
  };

  return {
    ingest(batch: IngestBatch, calleeSeries: (service: string, instance: string | undefined) => CalleeSeries = () => 'service and instance'): IngestOutcome {
      const at = now();
      const anchored = anchor(Date.parse(batch.intervalStart) / 1_000, batch.intervalSeconds, at);
      if (!anchored.ok) {
        return { ok: false, field: 'intervalStart', message: `interval ends ${Math.round(anchored.skew)} s from the server's clock; more than 24 h of skew means a broken clock` };
      }
      const { service: from } = batch.reporter;
      const remembered = callKeys.reporter(from);
      for (let position = 0; position < batch.calls.length; position += 1) {
        const call = batch.calls[position] as CallStats;
        const toInstance = call.toInstance ? call.toInstance : undefined;
        const feeds = calleeSeries(call.to, toInstance);
        recordAndTell(anchored.start, batch.intervalSeconds, {
          from,
          to: call.to,
          ...(toInstance && feeds === 'service and instance' ? { toInstance } : {}),
          countsForCallee: feeds !== 'none',
          count: call.count,
          errors: call.errors,
          bounds: call.latencyMs.bounds,
          counts: call.latencyMs.counts,
        }, at, callKeys.keys(from, remembered, position, call.to, toInstance));
      }
      return { ok: true, calls: batch.calls.length, reanchored: anchored.reanchored };
    },
    /** Records observed calls (OTLP) through the same path as ingest; false when a count is beyond ingest's bound or the reporter's clock is more than a day off. */
    observe(observation: CallObservation): boolean {
      if (!(observation.count <= MAX_COUNT && observation.errors <= observation.count)) return false;
      const at = now();
      const anchored = anchor(observation.startSecond, observation.intervalSeconds, at);
      if (!anchored.ok) return false;
      if (observation.node) noteKind(observation.node);
      recordAndTell(anchored.start, observation.intervalSeconds, observation, at);
      return true;
    },
    /**
     * Calls another replica recorded (already on its clock and within ingest's bounds): recorded, not
     * passed on. Placed where that replica placed them, unless its clock and ours are apart
     * (`apartFromOurClock`, the bound its probe results are judged by too): a replica two minutes
     * ahead put them where none of our windows looked, so its calls were missing from our statuses
     * and charts (replica-clock-skew.test.ts). Then on ours, ending now: it recorded them a moment ago.
     */
    replay(observation: CallObservation): void {
      if (observation.node) noteKind(observation.node);
      const at = now();
      const start = apartFromOurClock((observation.startSecond + observation.intervalSeconds) * 1_000, at) ? at / 1_000 - observation.intervalSeconds : observation.startSecond;
      recordCalls(start, observation.intervalSeconds, observation, at);
    },
    recordProbe(key: string, atMs: number, latencyMs: number, ok: boolean): void {
      probeSeriesFor(probeKey(key), now()).record(atMs / 1_000, 1, 1, ok ? 0 : 1, shapedValues([clampLatency(latencyMs), 1, NaN, NaN], false));
    },
    service: (service: string, window: LatencyWindow) => read(series, serviceKey(service), window),
    serviceArrivingFrom: (service: string): number | null => arrivingFromMs(serviceKey(service)),
    instanceArrivingFrom: (service: string, id: string): number | null => arrivingFromMs(instanceKey(service, id)),
    instance: (service: string, id: string, window: LatencyWindow) => read(series, instanceKey(service, id), window),
    edge: (from: string, to: string, window: LatencyWindow) => read(series, edgeKey(from, to), window),
    probe: (key: string, window: LatencyWindow) => read(probes, probeKey(key), window),
    /** The caller→callee pairs `edges()` would list, without their figures: cheap enough to ask every second. */
    edgePairs(): { from: string; to: string }[] {
      const nowSecond = now() / 1_000;
      const pairs: { from: string; to: string }[] = [];
      for (const [key, found] of series) {
        const held = heldEdge(key, found, nowSecond);
        if (held) pairs.push({ from: held[0], to: held[1] });
      }
      return pairs;
    },
    /** Reported calls to one instance over the last `windowSeconds`: totals and the p95 of those calls (null without calls). */
    instanceRecent: (service: string, id: string, windowSeconds: number): RecentCalls => recentOf(instanceKey(service, id), windowSeconds),
    /** The same for a whole service. */
    serviceRecent: (service: string, windowSeconds: number): RecentCalls => recentOf(serviceKey(service), windowSeconds),
    /** The median of a service's per-minute p95 over the last hour (its usual latency); null with fewer than 5 minutes of calls. */
    serviceBaselineP95(service: string): number | null {
      const found = series.get(serviceKey(service));
      return found ? medianP95(found) : null;
    },
    /**
     * Every held edge (`heldEdge`) with its rate and errors over the last minute, its latest minute's
     * latency and its usual p95. One whose minute holds no calls is listed idle: rate 0, no error
     * rate, no latency (the minute slot may still hold its last calls' percentiles), its usual p95.
     */
    edges(): EdgeStats[] {
      /**
       * Whether an edge that had errors is over them, as an instance's error verdict ends: its last 10 s
       * of calls clean, or no calls for the 30 s a verdict is judged over (the caller, the callee or
       * both are gone: the minute's failures are history, not a failure now).
       */
      const recoveryOf = (found: Series, nowSecond: number): Pick<EdgeStats, 'recovered' | 'quiet'> => {
        const { count, errors } = found.recent(nowSecond, RECOVERY_SECONDS);
        if (cleanAgain({ calls: count, errors }, DEFAULT_TRAFFIC_THRESHOLDS)) return { recovered: true };
        return count === 0 && found.recent(nowSecond, TRAFFIC_WINDOW_SECONDS).count === 0 ? { recovered: true, quiet: true } : {};
      };
      /** The last 30 s of the minute (an instance's status window): an outage's first minute still holds the calls that succeeded before it. */
      const recentOf30 = (found: Series, until: number): Pick<EdgeStats, 'recentCalls' | 'recentErrors'> => {
        const { count, errors } = found.recent(until, TRAFFIC_WINDOW_SECONDS);
        return { recentCalls: count, recentErrors: errors };
      };
      const nowSecond = now() / 1_000;
      const edges: EdgeStats[] = [];
      for (const [key, found] of series) {
        const held = heldEdge(key, found, nowSecond);
        if (!held) continue;
        const [from, to] = held;
        // Up to its newest report while the next is not due: a minute ending now held 0 to 60 s of a 60 s exporter's calls.
        const until = found.judgedUntil(nowSecond);
        const { count, errors, points } = found.recent(until, EDGE_WINDOW_SECONDS);
        if (!(count > 0)) {
          edges.push({ from, to, rps: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null, baselineP95Ms: medianP95(found), ...kindsOf(from, to) });
          continue;
        }
        const latest = [...points].reverse().find((p) => p.p50Ms !== null);
        edges.push({
          from,
          to,
          rps: count / EDGE_WINDOW_SECONDS,
          errorRate: errors / count,
          p50Ms: latest?.p50Ms ?? null,
          p95Ms: latest?.p95Ms ?? null,
          p99Ms: latest?.p99Ms ?? null,
          baselineP95Ms: medianP95(found),
          ...kindsOf(from, to),
          ...(errors > 0 ? recoveryOf(found, until) : {}),
          ...(errors > 0 ? recentOf30(found, until) : {}),
        });
      }
      return edges;
    },
    /** Closes slots past their grace period; call every few seconds. */
    sweep: (): void => sweepUntil(now() / 1_000),
    /** Closes every open slot as it stands (a clean stop): the minutes so far are persisted, not lost. */
    closeOpenSlots: (): void => sweepUntil(Number.POSITIVE_INFINITY),
    /** Puts back minute slots an earlier run persisted, for one series (a `series-key.ts` key; caps apply as for new data). */
    restorerFor(key: string): (minuteStart: number, fields: ArrayLike<number>) => void {
      const at = now();
      const found = isProbeKey(key) ? probeSeriesFor(key, at) : seriesFor(key, at);
      return (minuteStart, fields) => found.restoreMinute(minuteStart, fields, at / 1_000);
    },
    stats: () => ({ series: series.size, probeSeries: probes.size, reanchored }),
  };
}

