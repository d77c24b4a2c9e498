import { z } from 'zod';
import type { HistoryEvent } from './events';
import { rollUpStatus } from './health';
import { StatusSchema, type Status } from './instance';
import { compareNatural } from './natural-order';

/** What was observed at a moment: a status, or `none` (not registered, or Switchyard was not watching). */
export type Observed = Status | 'none';

/** A stretch of time [fromMs, toMs) with one observed status. */
export interface StatusSpan {
  fromMs: number;
  toMs: number;
  status: Observed;
}

export interface TimelineOptions {
  /** Window start, ms since the epoch (inclusive). */
  from: number;
  /** Window end, ms since the epoch (exclusive). */
  to: number;
  /** Status of each instance registered at `from` (see `statusesAtStart`); absent instances are not registered. */
  initial: ReadonlyMap<string, Status>;
}

export interface StatusTimeline {
  from: number;
  to: number;
  /** The roll-up of the registered instances; `none` during gaps and while no instance is registered. */
  service: StatusSpan[];
  /** Every instance seen in `initial` or the events, in that order. */
  instances: Map<string, StatusSpan[]>;
}

const TRACKED_KINDS = new Set<HistoryEvent['kind']>(['health.changed', 'instance.registered', 'instance.deregistered', 'instance.lost', 'instance.lost_cleared']);

/**
 * True when some committed event moves `service`'s uptime or strips: a state change of one of its
 * instances. What the service page refetches its uptime on, so the figure follows an outage as its
 * rows land instead of at the next minute's poll. (A `history.gap` has no service and reaches no
 * service's feed: Switchyard was down, and the page refetches when its socket connects again.)
 */
export function uptimeMayChange(events: readonly HistoryEvent[], service: string): boolean {
  return events.some((event) => event.service === service && TRACKED_KINDS.has(event.kind));
}

/** The status an instance has right after `event`: `undefined` when it is no longer registered. */
export function statusAfter(event: HistoryEvent, before: Status | undefined): Status | undefined {
  switch (event.kind) {
    case 'health.changed': {
      const parsed = StatusSchema.safeParse(event.to);
      return parsed.success ? parsed.data : 'unknown';
    }
    case 'instance.registered':
      // A new registration starts unprobed, as the live view shows it.
      return 'unknown';
    case 'instance.deregistered':
    case 'instance.lost_cleared':
      return undefined;
    case 'instance.lost':
      return 'critical';
    default:
      return before;
  }
}

/**
 * `statusAfter` for an instance that may be lost (DESIGN §6): a lost instance stays `critical` through
 * its key's deregistration and health changes, until it registers again or its loss is cleared.
 */
export function statusAfterWithLoss(event: HistoryEvent, before: Status | undefined, lost: boolean): Status | undefined {
  if (lost && (event.kind === 'instance.deregistered' || event.kind === 'health.changed')) return before;
  if (!lost && event.kind === 'instance.lost_cleared') return before;
  return statusAfter(event, before);
}

/**
 * Each instance's status at a window's start, from its last `health.changed`, `instance.registered`
 * or `instance.deregistered` before it (ascending or not: the latest per instance wins; ties go to
 * the higher id). Deregistered instances are left out.
 */
export function statusesAtStart(lastEvents: readonly HistoryEvent[]): Map<string, Status> {
  const latest = new Map<string, HistoryEvent>();
  for (const event of lastEvents) {
    if (event.instance === undefined || !TRACKED_KINDS.has(event.kind)) continue;
    const seen = latest.get(event.instance);
    const newer = !seen || Date.parse(event.at) > Date.parse(seen.at) || (event.at === seen.at && event.id > seen.id);
    if (newer) latest.set(event.instance, event);
  }
  const statuses = new Map<string, Status>();
  for (const [instance, event] of latest) {
    const status = statusAfter(event, undefined);
    if (status !== undefined) statuses.set(instance, status);
  }
  return statuses;
}

/** Collects spans for one subject, merging neighbours with the same status and dropping empty ones. */
class SpanRecorder {
  readonly spans: StatusSpan[] = [];
  private status: Observed;
  private since: number;

  constructor(status: Observed, since: number) {
    this.status = status;
    this.since = since;
  }

  set(status: Observed, atMs: number): void {
    if (status === this.status) return;
    this.cut(atMs);
    this.status = status;
  }

  finish(atMs: number): StatusSpan[] {
    this.cut(atMs);
    return this.spans;
  }

  private cut(atMs: number): void {
    if (atMs > this.since) {
      const last = this.spans[this.spans.length - 1];
      if (last && last.status === this.status && last.toMs === this.since) last.toMs = atMs;
      else this.spans.push({ fromMs: this.since, toMs: atMs, status: this.status });
    }
    this.since = Math.max(this.since, atMs);
  }
}

/** Counts of registered instances per status, rolled up with `rollUpStatus` (memoised per combination). */
class RollUp {
  private readonly counts: Record<Status, number> = { passing: 0, warning: 0, critical: 0, unknown: 0 };
  private readonly memo = new Map<string, Status>();
  private total = 0;

  change(before: Status | undefined, after: Status | undefined): void {
    if (before !== undefined) {
      this.counts[before] -= 1;
      this.total -= 1;
    }
    if (after !== undefined) {
      this.counts[after] += 1;
      this.total += 1;
    }
  }

  status(): Observed {
    if (this.total === 0) return 'none';
    const { passing, warning, critical, unknown } = this.counts;
    const key = `${passing}/${warning}/${critical}/${unknown}`;
    let status = this.memo.get(key);
    if (status === undefined) {
      const expand = (s: Status, n: number) => Array.from({ length: n }, () => ({ status: s, drain: null }));
      status = rollUpStatus([...expand('passing', passing), ...expand('warning', warning), ...expand('critical', critical), ...expand('unknown', unknown)]);
      this.memo.set(key, status);
    }
    return status;
  }
}

/**
 * One service's status over [from, to), per instance and rolled up, from its events in ascending
 * time (`health.changed`, `instance.registered`, `instance.deregistered`, plus the fleet-wide
 * `history.gap`; other kinds are ignored).
 *
 * An instance is registered from `initial` or an `instance.registered` (status `unknown` until a
 * `health.changed`) until an `instance.deregistered`; a `health.changed` for an instance not
 * registered yet registers it. A `history.gap` makes everything `none` from its `at` until its
 * `until` (or, without `until`, until the next event); statuses carry over the gap unless events
 * say otherwise. Events before `from` only set the starting state; events at or after `to` are ignored.
 */
export function statusTimeline(events: readonly HistoryEvent[], options: TimelineOptions): StatusTimeline {
  const builder = statusTimelineBuilder(options);
  let end = 0;
  while (end < events.length && !(Date.parse(events[end]?.at ?? '') >= options.to)) end += 1;
  builder.add(end === events.length ? events : events.slice(0, end));
  return builder.finish(options.to);
}

/** `statusTimeline` fed in pieces, so a long history can be read and folded a page at a time. */
export interface StatusTimelineBuilder {
  /** The next events, ascending and after every event added before; all before the `to` given to `finish`. */
  add(events: readonly HistoryEvent[]): void;
  /** The timeline up to `to` (after the last event added). */
  finish(to: number): StatusTimeline;
}

/** An incremental `statusTimeline` (same rules): the caller stops adding at the window's end. */
export function statusTimelineBuilder(options: Omit<TimelineOptions, 'to'>): StatusTimelineBuilder {
  const { from } = options;
  const statuses = new Map<string, Status>(options.initial);
  const lost = new Set<string>();
  const rollUp = new RollUp();
  for (const status of statuses.values()) rollUp.change(undefined, status);
  let inGap = false;
  /** When the current gap ends; null: at the next event. */
  let gapEndMs: number | null = null;

  const observedOf = (instance: string): Observed => (inGap ? 'none' : (statuses.get(instance) ?? 'none'));
  const serviceObserved = (): Observed => (inGap ? 'none' : rollUp.status());
  const instances = new Map<string, SpanRecorder>();
  for (const instance of statuses.keys()) instances.set(instance, new SpanRecorder(observedOf(instance), from));
  const service = new SpanRecorder(serviceObserved(), from);
  const refreshAll = (atMs: number): void => {
    for (const [instance, recorder] of instances) recorder.set(observedOf(instance), atMs);
    service.set(serviceObserved(), atMs);
  };
  const endGapBy = (atMs: number): void => {
    if (!inGap) return;
    const endMs = gapEndMs ?? atMs;
    if (endMs > atMs) return;
    inGap = false;
    gapEndMs = null;
    refreshAll(Math.max(from, endMs));
  };

  const addOne = (event: HistoryEvent): void => {
    const atMs = Date.parse(event.at);
    const clampedMs = Math.max(from, atMs);
    endGapBy(atMs);
    if (event.kind === 'history.gap') {
      const untilMs = event.until === undefined ? null : Date.parse(event.until);
      if (untilMs !== null && untilMs <= atMs) return;
      gapEndMs = inGap && gapEndMs !== null && untilMs !== null ? Math.max(gapEndMs, untilMs) : untilMs;
      inGap = true;
      refreshAll(clampedMs);
      return;
    }
    const instance = event.instance;
    if (instance === undefined || !TRACKED_KINDS.has(event.kind)) return;
    const before = statuses.get(instance);
    const after = statusAfterWithLoss(event, before, lost.has(instance));
    if (event.kind === 'instance.lost') lost.add(instance);
    else if (event.kind === 'instance.registered' || event.kind === 'instance.lost_cleared') lost.delete(instance);
    if (after === undefined) statuses.delete(instance);
    else statuses.set(instance, after);
    rollUp.change(before, after);
    let recorder = instances.get(instance);
    if (!recorder) {
      recorder = new SpanRecorder('none', from);
      instances.set(instance, recorder);
    }
    recorder.set(observedOf(instance), clampedMs);
    service.set(serviceObserved(), clampedMs);
  };

  return {
    add(events) {
      for (const event of events) addOne(event);
    },
    finish(to) {
      if (inGap && gapEndMs !== null && gapEndMs < to) endGapBy(gapEndMs);
      const finished = new Map<string, StatusSpan[]>();
      for (const [instance, recorder] of instances) finished.set(instance, recorder.finish(to));
      return { from, to, service: service.finish(to), instances: finished };
    },
  };
}

/** Time with a known status (passing, warning or critical), and of it the critical time. */
function knownTimes(spans: readonly StatusSpan[]): { knownMs: number; criticalMs: number } {
  let knownMs = 0;
  let criticalMs = 0;
  for (const span of spans) {
    if (span.status === 'none' || span.status === 'unknown') continue;
    const length = span.toMs - span.fromMs;
    knownMs += length;
    if (span.status === 'critical') criticalMs += length;
  }
  return { knownMs, criticalMs };
}

/** Time with a known status: what an uptime figure rests on. */
export const knownMsOf = (spans: readonly StatusSpan[]): number => knownTimes(spans).knownMs;

/** 1 − critical time / known time, where known means passing, warning or critical; null when nothing was known. */
export function uptimeOf(spans: readonly StatusSpan[]): number | null {
  const { knownMs, criticalMs } = knownTimes(spans);
  return knownMs > 0 ? 1 - criticalMs / knownMs : null;
}

const STRIP_RANK: Record<Observed, number> = { critical: 4, warning: 3, passing: 2, unknown: 1, none: 0 };

/** The worse of two observations for a heartbeat cell: critical > warning > passing > unknown > none. */
export function worseOf(a: Observed, b: Observed): Observed {
  return STRIP_RANK[b] > STRIP_RANK[a] ? b : a;
}

export interface StripOptions {
  from: number;
  to: number;
  buckets: number;
}

/** Splits [from, to) into `buckets` equal cells, each the worst status any span showed in it. */
export function stripOf(spans: readonly StatusSpan[], options: StripOptions): Observed[] {
  const { from, to, buckets } = options;
  const cells: Observed[] = Array.from({ length: buckets }, () => 'none');
  if (!(to > from) || buckets < 1) return cells;
  const width = (to - from) / buckets;
  for (const span of spans) {
    if (span.status === 'none' || span.toMs <= from || span.fromMs >= to) continue;
    const first = Math.max(0, Math.floor((span.fromMs - from) / width));
    const last = Math.min(buckets - 1, Math.ceil((span.toMs - from) / width) - 1);
    for (let index = first; index <= last; index += 1) cells[index] = worseOf(cells[index] ?? 'none', span.status);
  }
  return cells;
}

export interface ServiceUptime {
  /** Share of known time the service's roll-up was not critical; null when nothing was known. */
  service: number | null;
  instances: Map<string, number | null>;
}

/**
 * Uptime over [from, to): per instance 1 − criticalTime / knownTime, where known time is time
 * registered with status passing, warning or critical (unknown status, not registered and
 * `history.gap` spans are excluded); for the service the same over its roll-up (`rollUpStatus` of
 * the registered instances). null when nothing was known.
 */
export function uptime(events: readonly HistoryEvent[], options: TimelineOptions): ServiceUptime {
  const timeline = statusTimeline(events, options);
  const instances = new Map<string, number | null>();
  for (const [instance, spans] of timeline.instances) instances.set(instance, uptimeOf(spans));
  return { service: uptimeOf(timeline.service), instances };
}

export interface HeartbeatStrips {
  service: Observed[];
  instances: Map<string, Observed[]>;
}

/** Heartbeat strips (like Uptime Kuma's): each of `buckets` cells is the worst status seen in it. */
export function heartbeatStrip(events: readonly HistoryEvent[], options: TimelineOptions & { buckets: number }): HeartbeatStrips {
  const timeline = statusTimeline(events, options);
  const instances = new Map<string, Observed[]>();
  for (const [instance, spans] of timeline.instances) instances.set(instance, stripOf(spans, options));
  return { service: stripOf(timeline.service, options), instances };
}

export const UPTIME_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export const UptimeWindowSchema = z.enum(['24h', '7d', '30d']);
export type UptimeWindow = z.infer<typeof UptimeWindowSchema>;

/** `GET /api/v1/services/{service}/uptime` query. */
export const UptimeQuerySchema = z.object({
  window: UptimeWindowSchema.default('24h'),
  buckets: z.coerce.number().int().min(1).max(500).default(48),
});
export type UptimeQuery = z.infer<typeof UptimeQuerySchema>;

/** The uptime endpoint's body. */
export interface UptimeReport {
  service: string;
  window: { name?: UptimeWindow; from: string; to: string; bucketMs: number };
  /** Service uptime (0..1) over the window; null when nothing was known. */
  uptime: number | null;
  /** How much of the window that figure rests on: time the service's status was known (ms). */
  observedMs: number;
  /** The service roll-up's heartbeat strip. */
  strip: Observed[];
  instances: { id: string; uptime: number | null; strip: Observed[] }[];
  /** True when the window held more events than one request reads; figures cover up to `coveredUntil`. */
  truncated: boolean;
  coveredUntil: string;
}

/** A service's instance strips in the order its Instances table lists them: registered ones first, then by id, numbers as numbers. */
export function inStripOrder<Strip extends { id: string }>(instances: readonly Strip[], registered: ReadonlySet<string>): Strip[] {
  return [...instances].sort((a, b) => Number(registered.has(b.id)) - Number(registered.has(a.id)) || compareNatural(a.id, b.id));
}
