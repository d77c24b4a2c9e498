import { WINDOWS, type LatencyPoint, type LatencyWindow } from '@/lib/model/latency';
import type { Shape, ShapedValues } from './shapes';
import { ClosedRing, PROBE_LAYOUT } from './closed-ring';
import { SparseRing } from './sparse-ring';
import { Slots, type ClosedFields } from './slots';

/** Reported calls may arrive this long after their slot ends (reporters send every few seconds). */
export const REPORT_GRACE_SECONDS = 90;
/** Probes are recorded as they finish, so their slots can close almost at once. */
export const PROBE_GRACE_SECONDS = 5;

/**
 * What the open 1 s slots of one series may hold in merged values (raw values or sketches) at a
 * time. Slots past it keep their counts and take their quantiles from their minute, which holds the
 * same calls: a series' memory is bounded whatever lands on it. A busy series of a normal fleet —
 * every second of the 90 s grace merged from several reporters sharing 16 buckets — holds ~50 KB;
 * a batch re-sent into the same seconds filled 6–8 KB a slot before the cap.
 */
export const SECONDS_DETAIL_BYTES = 64 * 1_024;

const SECOND_SLOTS = 15 * 60;
const MINUTE_SLOTS = 24 * 60;
/**
 * Reports of a whole interval wait, summed, to be spread over its seconds until the series is read
 * or swept (or this many kinds of them wait): a busy series takes hundreds of reports of the same
 * few intervals between two reads, and spreading each one on arrival cost an add per second of
 * its interval, the top cost of ingest in the server's profile.
 */
const MAX_PENDING_INTERVALS = 16;

/**
 * Reports' lags are kept as the longest of each window of this many seconds, the current one and
 * the one before: a reporter that stopped stops holding seconds open within two windows, and
 * while reports keep coming there is always a lag to answer with.
 */
const REPORT_LAG_WINDOW_SECONDS = 60;
/** A report reaches back at most its interval (≤ 300 s) and the trusted clock skew; a bound all the same (s). */
const MAX_REPORT_LAG_SECONDS = 600;
/** How much longer than its lag the next report may take before the calls count as stopped: at least this many seconds, or half the lag (s). */
const MIN_NEXT_REPORT_SLACK_SECONDS = 5;

/** Reports of one interval and one shape, their weights summed (not yet scaled by the share of a second). */
interface PendingInterval {
  first: number;
  span: number;
  count: number;
  errors: number;
  shape: Shape;
  /** The first report's weights, not copied (reports are never modified) until a second one arrives. */
  only: readonly number[] | null;
  weights: number[] | null;
}

/** Calls (or probes) of one thing — a service, an instance, an edge — at 1 s for 15 min and 1 min for 24 h. */
export class Series {
  readonly #seconds: Slots;
  readonly #minutes: Slots;
  #lastUpdate = 0;
  /** Where the newest interval that held calls ends (s; 0 when this run recorded none): an edge's hold counts from it. */
  #lastCall = 0;
  /** Reports not yet spread over their seconds (null, not an empty array, for the many series without). */
  #pending: PendingInterval[] | null = null;
  /** The longest any report reached back from its arrival (s), in the lag window begun at `#lagWindowStart` and in the one before. */
  #lagThisWindow = 0;
  #lagWindowBefore = 0;
  #lagWindowStart = Number.NEGATIVE_INFINITY;
  /** When the last report with a known arrival came (s). */
  #lastArrival = Number.NEGATIVE_INFINITY;
  /** When the store last moved it to the newest end of its pool (ms, the store's clock). */
  movedAt = 0;
  /** Where this run's seconds begin when an earlier run's minutes were restored (s): before it, seconds are known by their minutes only. */
  #secondsFrom = Number.NEGATIVE_INFINITY;
  /**
   * The minutes before `#secondsFrom` this run recorded calls in, each with the calls and errors an
   * earlier run had restored there (0 for none): the minute slot then holds both runs' calls, and
   * the seconds before the start are drawn with the restored ones on top. Null for the many without.
   */
  #reachedBack: Map<number, { count: number; errors: number }> | null = null;

  /**
   * `kind`: probes keep their closed slots compact — whole counts and 16-bit percentile codes
   * (`PROBE_LAYOUT`), and only the seconds that had a probe (`SparseRing`): a probe every 5 s
   * fills one second in 5. Calls keep 32-bit floats (fractional counts) in dense rings.
   */
  constructor(graceSeconds: number = REPORT_GRACE_SECONDS, kind: 'calls' | 'probes' = 'calls') {
    const probes = kind === 'probes';
    this.#minutes = new Slots(60, MINUTE_SLOTS, graceSeconds, undefined, probes ? new ClosedRing(MINUTE_SLOTS, PROBE_LAYOUT) : undefined);
    const minutes = this.#minutes;
    const budget = { bytes: SECONDS_DETAIL_BYTES, fallback: (second: number) => minutes.openQuantiles(Math.floor(second / 60) * 60) };
    this.#seconds = new Slots(1, SECOND_SLOTS, graceSeconds, budget, probes ? new SparseRing(SECOND_SLOTS, PROBE_LAYOUT) : undefined);
  }

  /**
   * Spreads an interval's calls evenly over its whole seconds, into both resolutions: at once for a
   * one-second interval, else when the series is next read or swept (`#spreadPending`).
   */
  record(startSecond: number, intervalSeconds: number, count: number, errors: number, values: ShapedValues, arrivedAtSecond?: number): void {
    const span = Math.max(1, Math.round(intervalSeconds));
    const first = Math.floor(startSecond);
    this.#lastUpdate = Math.max(this.#lastUpdate, first + span);
    if (count > 0) this.#lastCall = Math.max(this.#lastCall, first + span);
    if (arrivedAtSecond !== undefined) this.#noteLag(Math.min(MAX_REPORT_LAG_SECONDS, Math.max(0, Math.ceil(arrivedAtSecond - first))), arrivedAtSecond);
    if (span === 1) {
      this.#spread(first, span, count, errors, values);
      return;
    }
    const pending = (this.#pending ??= []);
    for (const waiting of pending) {
      if (waiting.first !== first || waiting.span !== span || waiting.shape !== values.shape) continue;
      waiting.count += count;
      waiting.errors += errors;
      const weights = (waiting.weights ??= [...(waiting.only as readonly number[])]);
      waiting.only = null;
      const added = values.weights;
      for (let k = 0; k < added.length; k += 1) weights[k] = (weights[k] as number) + (added[k] as number);
      return;
    }
    const report: PendingInterval = { first, span, count, errors, shape: values.shape, only: values.weights, weights: null };
    if (pending.length < MAX_PENDING_INTERVALS) pending.push(report);
    else {
      this.#spreadPending();
      this.#pending = [report];
    }
  }

  #noteLag(lag: number, at: number): void {
    this.#lastArrival = Math.max(this.#lastArrival, at);
    const age = at - this.#lagWindowStart;
    if (age >= REPORT_LAG_WINDOW_SECONDS) {
      this.#lagWindowBefore = age < 2 * REPORT_LAG_WINDOW_SECONDS ? this.#lagThisWindow : 0;
      this.#lagThisWindow = 0;
      this.#lagWindowStart = at;
    }
    this.#lagThisWindow = Math.max(this.#lagThisWindow, lag);
  }

  /**
   * The first second that reports may still add to (null when nothing is arriving): a reporter
   * sends its interval once it ends, so the newest seconds hold only the reporters that have sent
   * so far. As far back as the longest report of the last one to two minutes reached from its
   * arrival (its interval and its delay). Nothing is arriving once the next report is overdue: a
   * lag, and half a lag more (at least MIN_NEXT_REPORT_SLACK_SECONDS), after the last one came.
   */
  arrivingFrom(nowSecond: number): number | null {
    const age = nowSecond - this.#lagWindowStart;
    const lag = age < REPORT_LAG_WINDOW_SECONDS ? Math.max(this.#lagThisWindow, this.#lagWindowBefore) : this.#lagThisWindow;
    if (!(nowSecond - this.#lastArrival <= lag + Math.max(MIN_NEXT_REPORT_SLACK_SECONDS, lag / 2))) return null;
    return Math.floor(nowSecond) - lag;
  }

  /**
   * Where a window over these calls ends: now while the newest report ended at most
   * `freshSeconds` ago, else at that report while the next one is not due, else now again (the
   * calls stopped, or their reporter did). Reporters send an interval once it ends; ending at now,
   * the window of an OpenTelemetry SDK exporting every 60 s (its default) was empty half the time,
   * and a steady outage went critical, passing, critical every 30 s.
   */
  judgedUntil(nowSecond: number, freshSeconds = 0): number {
    const newest = this.#lastUpdate;
    return nowSecond - newest <= freshSeconds || this.arrivingFrom(nowSecond) === null ? nowSecond : newest;
  }

  #spreadPending(): void {
    const pending = this.#pending;
    if (!pending || pending.length === 0) return;
    for (const waiting of pending) {
      this.#spread(waiting.first, waiting.span, waiting.count, waiting.errors, { shape: waiting.shape, weights: waiting.weights ?? (waiting.only as readonly number[]) });
    }
    this.#pending = null;
  }

  #spread(first: number, span: number, count: number, errors: number, values: ShapedValues): void {
    const share = 1 / span;
    for (let s = 0; s < span; s += 1) this.#seconds.add(first + s, count * share, errors * share, values, share);
    // The minute slots get each minute's share at once: same figures, a fraction of the sketch work.
    for (let minute = Math.floor(first / 60) * 60; minute < first + span; minute += 60) {
      if (minute < this.#secondsFrom) this.#reachBack(minute);
      const covered = Math.min(minute + 60, first + span) - Math.max(minute, first);
      const minuteShare = covered * share;
      this.#minutes.add(minute, count * minuteShare, errors * minuteShare, values, minuteShare);
    }
  }

  /**
   * A report of this run reaches into a minute before its start: the calls an earlier run restored
   * there are other calls, so the minute slot is opened again holding them (`Slots.reopen`) for this
   * run's to be added to — the minute persisted again once it closes holds both.
   */
  #reachBack(minute: number): void {
    const reachedBack = (this.#reachedBack ??= new Map());
    if (!reachedBack.has(minute)) reachedBack.set(minute, this.#minutes.reopen(minute) ?? { count: 0, errors: 0 });
  }

  /** Closes the slots past their grace; `onMinuteClosed` sees each closed minute slot. */
  sweep(nowSecond: number, onMinuteClosed?: (minuteStart: number, fields: ClosedFields) => void): void {
    this.#spreadPending();
    this.#seconds.sweep(nowSecond);
    this.#minutes.sweep(nowSecond, onMinuteClosed);
    const reachedBack = this.#reachedBack;
    if (!reachedBack) return;
    // Past the seconds' window nothing draws them.
    for (const minute of reachedBack.keys()) if (minute + 60 <= nowSecond - SECOND_SLOTS) reachedBack.delete(minute);
    if (reachedBack.size === 0) this.#reachedBack = null;
  }

  /**
   * Puts back a minute slot an earlier run closed and persisted, at `restoredAtSecond` (this run's
   * start: its seconds are not persisted). Not an update nor a call (`lastUpdate`, `lastCall`):
   * those are what this run was told of, and a restarted fleet's old edges stayed on the map by them.
   */
  restoreMinute(minuteStart: number, fields: ArrayLike<number>, restoredAtSecond: number): void {
    this.#spreadPending();
    this.#minutes.restore(minuteStart, fields);
    this.#secondsFrom = Math.max(this.#secondsFrom, restoredAtSecond);
  }

  points(window: LatencyWindow, nowSecond: number): LatencyPoint[] {
    this.#spreadPending();
    const { seconds: span, stepSeconds } = WINDOWS[window];
    const slots = stepSeconds === 1 ? this.#seconds : this.#minutes;
    const to = Math.floor(nowSecond / stepSeconds) * stepSeconds + stepSeconds;
    const points = slots.points(to - span, to);
    return stepSeconds === 1 && to - span < this.#secondsFrom ? this.#withRestoredMinutes(points) : points;
  }

  /**
   * 1 s points with the seconds before this run's known by their restored minutes: each such minute's
   * calls are drawn over its seconds before `#secondsFrom` at their rate there, on top of any this run
   * recorded there (a report reaching back over the restart: other calls), with its error rate
   * merged and its minute's percentiles (both runs' calls). Without it the 15 min chart said "No
   * calls reported … in the last 15 minutes" after a restart, beside a 1 h chart holding calls from
   * 3 minutes before it.
   */
  #withRestoredMinutes(points: LatencyPoint[]): LatencyPoint[] {
    const first = points[0];
    if (!first) return points;
    const firstSecond = first.t / 1_000;
    const minutes = this.#minutes.points(Math.floor(firstSecond / 60) * 60, Math.min(this.#secondsFrom, firstSecond + points.length));
    for (const minute of minutes) {
      // A minute this run recorded nothing in holds the restored calls alone.
      const restored = this.#reachedBack?.get(minute.t / 1_000) ?? { count: minute.rps * 60, errors: (minute.errorRate ?? 0) * minute.rps * 60 };
      if (!(restored.count > 0)) continue;
      const minuteStart = minute.t / 1_000;
      // The earlier run stopped before this one began: the minute the restart fell in had its calls before it.
      const spanSeconds = Math.min(60, Math.ceil(this.#secondsFrom - minuteStart));
      const from = Math.max(0, minuteStart - firstSecond);
      const until = Math.min(points.length, minuteStart + spanSeconds - firstSecond);
      for (let i = from; i < until; i += 1) {
        const own = points[i] as LatencyPoint;
        const rps = own.rps + restored.count / spanSeconds;
        const errorsPerSecond = own.rps * (own.errorRate ?? 0) + restored.errors / spanSeconds;
        points[i] = { t: own.t, rps, errorRate: errorsPerSecond / rps, p50Ms: minute.p50Ms, p95Ms: minute.p95Ms, p99Ms: minute.p99Ms };
      }
    }
    return points;
  }

  /** Totals of the last `windowSeconds`, latency from the newest minute slot's merged sketch. */
  recent(nowSecond: number, windowSeconds: number): { count: number; errors: number; points: LatencyPoint[] } {
    this.#spreadPending();
    // Totals only: the map asks this of every edge every second, and seconds' quantiles cost a sort each.
    const { count, errors } = this.#seconds.totals(nowSecond - windowSeconds, nowSecond);
    return { count, errors, points: this.#minutes.points(nowSecond - 60, nowSecond + 1) };
  }

  /** Calls, errors and the p95 of all calls over the last `windowSeconds` (status from traffic). */
  lastSeconds(nowSecond: number, windowSeconds: number): { count: number; errors: number; p95: number | null } {
    this.#spreadPending();
    return this.#seconds.window(nowSecond - windowSeconds, nowSecond);
  }

  /** Where the newest interval this run recorded with calls in it ends (s); 0 when none had any. */
  lastCall(): number {
    return this.#lastCall;
  }
}
