import type { Kysely, Selectable } from 'kysely';
import type { EventKind, HistoryEvent } from '@/lib/model/events';
import { DEFAULT_MERGE_GAP_MS, dependenciesOf, incidentDeriver, mttrByService, newestFirst, upstreamIndex, type Incident, type IncidentList } from '@/lib/model/incidents';
import type { Adjacency } from '@/lib/model/topology/graph';
import { knownMsOf, statusesAtStart, statusTimelineBuilder, stripOf, uptimeOf, type UptimeReport } from '@/lib/model/uptime';
import type { EventsTable, HistoryDatabase } from './schema';
import type { History } from './store';
import { toHistoryEvent } from './store';

/**
 * Most event rows one analysis reads (~200 k rows, tens of MB at most). A window holding more is
 * analysed up to the first row left out and reported `truncated`, never extrapolated.
 */
export const MAX_ANALYSIS_ROWS = 200_000;
/** Most `history.gap` rows one analysis reads (there is one per Switchyard outage). */
const MAX_GAP_ROWS = 10_000;

const STATE_KINDS: EventKind[] = ['health.changed', 'instance.registered', 'instance.deregistered', 'instance.lost', 'instance.lost_cleared'];

type Db = Kysely<HistoryDatabase>;

/**
 * Rows one page of an analysis reads: better-sqlite3 runs a statement synchronously, so one query
 * for the whole window held the event loop for it (200,000 rows: 0.96 s). A page of 2,000 rows
 * takes 5–30 ms to read and analyse, and the loop is yielded to between pages.
 */
export const ANALYSIS_PAGE_ROWS = 2_000;

interface Coverage {
  /** Events are complete strictly before this time. */
  coveredUntilMs: number;
  truncated: boolean;
}

/** Lets I/O and timers run between two pages of an analysis. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * State events in [fromMs, toMs), ascending, for some services or all; at most `maxRows`, given to
 * `onEvents` a page at a time. Pages are keyed by (at_ms, id), not an open cursor, so nothing is
 * held on the connection between them. A window holding more than `maxRows` is given up to the
 * first row left out: the rows of each page's last instant are held back until the next page shows
 * whether that instant is complete.
 */
async function readStateEvents(
  db: Db,
  range: { fromMs: number; toMs: number; services: readonly string[] | undefined; maxRows: number; pageRows: number },
  onEvents: (events: HistoryEvent[]) => void,
): Promise<Coverage> {
  const { fromMs, toMs, services, maxRows, pageRows } = range;
  let pending: Array<Selectable<EventsTable>> = [];
  let read = 0;
  let after: { atMs: number; id: number } | undefined;
  for (;;) {
    const want = Math.min(pageRows, maxRows + 1 - read);
    let select = db.selectFrom('events').selectAll().where('kind', 'in', STATE_KINDS).where('at_ms', '>=', fromMs).where('at_ms', '<', toMs);
    if (services !== undefined) select = select.where('service', 'in', services);
    if (after) {
      const { atMs, id } = after;
      select = select.where((eb) => eb.or([eb('at_ms', '>', atMs), eb.and([eb('at_ms', '=', atMs), eb('id', '>', id)])]));
    }
    const rows = await select.orderBy('at_ms', 'asc').orderBy('id', 'asc').limit(want).execute();
    read += rows.length;
    const last = rows.at(-1);
    if (read > maxRows && last) {
      // `last` is the first row left out; rows sharing its instant may be partly missing: stop just before it.
      const kept = pending.concat(rows.slice(0, -1)).filter((row) => row.at_ms < last.at_ms);
      onEvents(kept.map(toHistoryEvent));
      return { coveredUntilMs: last.at_ms, truncated: true };
    }
    for (const row of rows) pending.push(row);
    if (rows.length < want || !last) {
      onEvents(pending.map(toHistoryEvent));
      return { coveredUntilMs: toMs, truncated: false };
    }
    let split = pending.length;
    while (split > 0 && pending[split - 1]?.at_ms === last.at_ms) split -= 1;
    onEvents(pending.slice(0, split).map(toHistoryEvent));
    pending = pending.slice(split);
    after = { atMs: last.at_ms, id: last.id };
    await yieldToLoop();
  }
}

/**
 * Runs analyses of one database one at a time: each yields between its pages, and two interleaved
 * would run a page each in the same turn of the loop (twice the stretch), and hold twice the memory.
 */
const analysisQueues = new WeakMap<Db, Promise<void>>();
function oneAtATime<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const result = (analysisQueues.get(db) ?? Promise.resolve()).then(work);
  analysisQueues.set(
    db,
    result.then(
      () => undefined,
      () => undefined,
    ),
  );
  return result;
}

/** Analyses under way, by their parameters: an identical request joins the one running instead of repeating it. */
const analysesInFlight = new WeakMap<Db, Map<string, Promise<unknown>>>();
function shared<T>(db: Db, key: string, work: () => Promise<T>): Promise<T> {
  let inFlight = analysesInFlight.get(db);
  if (!inFlight) {
    inFlight = new Map();
    analysesInFlight.set(db, inFlight);
  }
  const running = inFlight.get(key);
  if (running) return running as Promise<T>;
  const started = oneAtATime(db, work);
  inFlight.set(key, started);
  const forget = (): void => {
    inFlight.delete(key);
  };
  started.then(forget, forget);
  return started;
}

/**
 * (service, instance) pairs looked up between two yields by `lastStateEventsBefore`: each is two
 * index seeks (its name, its last state event): ~100 µs a pair on SQLite with Kysely's statement setup.
 */
export const LAST_STATE_PAGE_PAIRS = 100;

/** A service's next instance name after `after` (its first without): a seek on `events_service_instance_at`. */
async function nextInstanceOf(db: Db, service: string, after: string | undefined): Promise<string | undefined> {
  const row = await db
    .selectFrom('events')
    .select('instance')
    .where('service', '=', service)
    // Every text is >= '' (in any collation), NULL is not.
    .where('instance', after === undefined ? '>=' : '>', after ?? '')
    .orderBy('instance', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row?.instance ?? undefined;
}

/** The next service name after `after` (the first without) with any event: a seek on `events_service_instance_at`. */
async function nextService(db: Db, after: string | undefined): Promise<string | undefined> {
  const row = await db
    .selectFrom('events')
    .select('service')
    .where('service', after === undefined ? '>=' : '>', after ?? '')
    .orderBy('service', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row?.service ?? undefined;
}

/**
 * Each instance's last state event before `beforeMs` (one row per service and instance), for some
 * services or all; the `MAX_ANALYSIS_ROWS` oldest of them. Walked pair by pair (services, then each
 * one's instance names, by seeks) with a yield every `pagePairs`: one statement ranking every state
 * event before the window (a window function) held the event loop for all of them (200,000 rows:
 * 400–490 ms). Events without a service are not looked up: no analysis uses them.
 */
export async function lastStateEventsBefore(db: Db, beforeMs: number, services: readonly string[] | undefined, pagePairs = LAST_STATE_PAGE_PAIRS): Promise<HistoryEvent[]> {
  const found: Array<Selectable<EventsTable>> = [];
  let sinceYield = 0;
  const lookUp = async (service: string): Promise<void> => {
    for (let instance = await nextInstanceOf(db, service, undefined); instance !== undefined; instance = await nextInstanceOf(db, service, instance)) {
      const last = await db
        .selectFrom('events')
        .selectAll()
        .where('service', '=', service)
        .where('instance', '=', instance)
        .where('kind', 'in', STATE_KINDS)
        .where('at_ms', '<', beforeMs)
        .orderBy('at_ms', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last) found.push(last);
      sinceYield += 1;
      if (sinceYield >= pagePairs) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  };
  if (services !== undefined) for (const service of new Set(services)) await lookUp(service);
  else for (let service = await nextService(db, undefined); service !== undefined; service = await nextService(db, service)) await lookUp(service);
  found.sort((a, b) => a.at_ms - b.at_ms || a.id - b.id);
  return found.slice(0, MAX_ANALYSIS_ROWS).map(toHistoryEvent);
}

/** Gaps that overlap [fromMs, toMs) and concern this service (gaps are usually fleet-wide: no service). */
async function gapsOverlapping(db: Db, fromMs: number, toMs: number, service: string): Promise<HistoryEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('kind', '=', 'history.gap')
    .where('at_ms', '<', toMs)
    .where((eb) => eb.or([eb('at_ms', '>=', fromMs), eb('until_ms', '>', fromMs)]))
    .where((eb) => eb.or([eb('service', 'is', null), eb('service', '=', service)]))
    .orderBy('at_ms', 'asc')
    .orderBy('id', 'asc')
    .limit(MAX_GAP_ROWS)
    .execute();
  return rows.map(toHistoryEvent);
}

/** Whether `a` comes before `b` (by time, then id). */
const precedes = (a: HistoryEvent | undefined, b: HistoryEvent): boolean => a !== undefined && (Date.parse(a.at) - Date.parse(b.at) || a.id - b.id) < 0;

/** Merges two ascending event lists into one (by time, then id). */
export function mergeAscending(a: readonly HistoryEvent[], b: readonly HistoryEvent[]): HistoryEvent[] {
  const merged: HistoryEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const left = a[i];
    const right = b[j];
    const takeLeft = right === undefined || (left !== undefined && (Date.parse(left.at) - Date.parse(right.at) || left.id - right.id) <= 0);
    if (takeLeft && left !== undefined) {
      merged.push(left);
      i += 1;
    } else if (right !== undefined) {
      merged.push(right);
      j += 1;
    }
  }
  return merged;
}

export interface UptimeRequest {
  service: string;
  fromMs: number;
  toMs: number;
  buckets: number;
  /** Default `MAX_ANALYSIS_ROWS`. */
  maxRows?: number;
  /** Default `ANALYSIS_PAGE_ROWS`. */
  pageRows?: number;
}

/** The id of the newest committed row (0 when none): an index seek. */
async function newestRowId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('newest'))
    .executeTakeFirst();
  return Number(row?.newest ?? 0);
}

/**
 * How far apart two uptime requests' ends (their "now") may be for one answer to serve both, with no
 * row committed between them: the tabs of a service ask on the same row within this.
 */
export const UPTIME_REUSE_MS = 2_000;

/** The last uptime answer per service, window length and buckets, with the newest row id it was asked at. */
const lastUptimes = new WeakMap<Db, Map<string, { newest: number; report: Promise<UptimeReport>; toMs: number }>>();

/**
 * A service's uptime and heartbeat strips over [fromMs, toMs): its state events in the window,
 * the fleet's gaps overlapping it, and each instance's last state event before it (its status at
 * the start). Reads at most `MAX_ANALYSIS_ROWS` events of the window (see `truncated`), a page at a time.
 * A request for the same service, window length and buckets as one queued, running or answered
 * with no row committed since, ending within `UPTIME_REUSE_MS` of it, gets its answer: every tab of
 * the service asks on the same row, each stamped with its own now (a flapping storm ran one 30 d
 * analysis of 10,000 instances, 13–52 s, per tab per row).
 */
export async function serviceUptime(history: Pick<History, 'db'>, request: UptimeRequest): Promise<UptimeReport> {
  const { db } = history;
  const { service, fromMs, toMs, buckets } = request;
  const newest = await newestRowId(db);
  let last = lastUptimes.get(db);
  if (!last) {
    last = new Map();
    lastUptimes.set(db, last);
  }
  const key = JSON.stringify([service, toMs - fromMs, buckets, request.maxRows, request.pageRows]);
  const previous = last.get(key);
  if (previous && previous.newest === newest && Math.abs(previous.toMs - toMs) <= UPTIME_REUSE_MS) return previous.report;
  // Answers too old to serve anyone are dropped, so the map holds only the windows being watched.
  for (const [otherKey, other] of last) if (Math.abs(other.toMs - toMs) > UPTIME_REUSE_MS) last.delete(otherKey);
  const report = shared(db, JSON.stringify(['uptime', key, newest]), () => analyseUptime(db, request));
  last.set(key, { newest, report, toMs });
  const forgetFailure = (): void => {
    if (last.get(key)?.report === report) last.delete(key);
  };
  report.catch(forgetFailure);
  return report;
}

async function analyseUptime(db: Db, request: UptimeRequest): Promise<UptimeReport> {
  const { service, fromMs, toMs, buckets } = request;
  const before = await lastStateEventsBefore(db, fromMs, [service]);
  const gaps = await gapsOverlapping(db, fromMs, toMs, service);
  // Folded a page at a time: the window's events are never all held, nor folded in one stretch.
  const builder = statusTimelineBuilder({ from: fromMs, initial: statusesAtStart(before) });
  let nextGap = 0;
  const range = { fromMs, toMs, services: [service], maxRows: request.maxRows ?? MAX_ANALYSIS_ROWS, pageRows: request.pageRows ?? ANALYSIS_PAGE_ROWS };
  const loaded = await readStateEvents(db, range, (page) => {
    const last = page.at(-1);
    if (!last) return;
    // The gaps that come before the page's last event in one merge of events and gaps.
    let end = nextGap;
    while (end < gaps.length && precedes(gaps[end], last)) end += 1;
    builder.add(mergeAscending(page, gaps.slice(nextGap, end)));
    nextGap = end;
  });
  // Every event added is before `coveredUntilMs`; gaps from there on are outside the timeline.
  builder.add(gaps.slice(nextGap).filter((gap) => !(Date.parse(gap.at) >= loaded.coveredUntilMs)));
  const timeline = builder.finish(loaded.coveredUntilMs);
  const cells = { from: fromMs, to: toMs, buckets };
  return {
    service,
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), bucketMs: (toMs - fromMs) / buckets },
    uptime: uptimeOf(timeline.service),
    observedMs: knownMsOf(timeline.service),
    strip: stripOf(timeline.service, cells),
    instances: [...timeline.instances].map(([id, spans]) => ({ id, uptime: uptimeOf(spans), strip: stripOf(spans, cells) })),
    truncated: loaded.truncated,
    coveredUntil: new Date(loaded.coveredUntilMs).toISOString(),
  };
}

export interface IncidentsRequest {
  service?: string;
  sinceMs: number;
  untilMs: number;
  limit: number;
  mergeGapMs?: number;
  /** Default `MAX_ANALYSIS_ROWS`. */
  maxRows?: number;
  /** Default `ANALYSIS_PAGE_ROWS`. */
  pageRows?: number;
  /** Who calls or declares whom now, for each incident's `upstream`; without it every `upstream` is null. */
  graph?: Adjacency;
}

/** Incidents written out between two yields (~2.5 µs each). */
const INCIDENTS_PER_TURN = 5_000;
/** Incidents given their upstream between two yields (a binary search per service each depends on: 500 in a long chain). */
const UPSTREAMS_PER_TURN = 100;

/** Most services one service's incidents are read beside, for their `upstream`; beyond it, every service's are read. */
const MAX_UPSTREAM_SERVICES = 500;

/** One service, and with a map what it depends on (their incidents may be its upstream): undefined for all. */
function servicesToRead(service: string, graph: Adjacency | undefined): string[] | undefined {
  if (!graph) return [service];
  const dependencies = dependenciesOf(graph, service);
  return dependencies.size > MAX_UPSTREAM_SERVICES ? undefined : [service, ...dependencies];
}

/**
 * Every incident of the window (oldest first) from the services read: read and derived a page at a
 * time, one analysis at a time, shared by identical requests under way.
 */
function windowIncidents(db: Db, services: readonly string[] | undefined, request: IncidentsRequest): Promise<{ derived: Incident[]; truncated: boolean }> {
  const range = { fromMs: request.sinceMs, toMs: request.untilMs, services, maxRows: request.maxRows ?? MAX_ANALYSIS_ROWS, pageRows: request.pageRows ?? ANALYSIS_PAGE_ROWS };
  const mergeGapMs = request.mergeGapMs ?? DEFAULT_MERGE_GAP_MS;
  return shared(db, JSON.stringify(['incidents', range, mergeGapMs]), async () => {
    const before = await lastStateEventsBefore(db, range.fromMs, services);
    // Every event given is before the window's end, and before where a truncated read stops.
    const deriver = incidentDeriver({ now: range.toMs, mergeGapMs });
    // Failures still going on at the window's start, and warnings standing then (an incident's first sign).
    deriver.add(before.filter((event) => event.kind === 'health.changed' && (event.to === 'critical' || event.to === 'warning')));
    const loaded = await readStateEvents(db, range, (page) => deriver.add(page));
    // 100,000 incidents (a 200,000-event window of flapping) take ~250 ms to write out: a chunk a turn.
    const derived: Incident[] = [];
    for (let start = 0; start < deriver.count(); start += INCIDENTS_PER_TURN) {
      if (start > 0) await yieldToLoop();
      for (const incident of deriver.incidents(start, start + INCIDENTS_PER_TURN)) derived.push(incident);
    }
    return { derived, truncated: loaded.truncated };
  });
}

/**
 * Incidents overlapping [sinceMs, untilMs), newest first, at most `limit`, and MTTR per service over
 * all of them (not only the page). A failure still going on at `sinceMs` is carried in from its own
 * `health.changed`, so an incident open across the window's start is reported from when that
 * instance failed (an incident that had merged earlier failures may have opened before that).
 * Reads at most `MAX_ANALYSIS_ROWS` events of the window (see `truncated`), a page at a time.
 */
export async function incidentsIn(history: Pick<History, 'db'>, request: IncidentsRequest): Promise<IncidentList & { truncated: boolean }> {
  const { service, graph } = request;
  const services = service === undefined ? undefined : servicesToRead(service, graph);
  const { derived, truncated } = await windowIncidents(history.db, services, request);
  // The services depended on were read for `upstream` only.
  const incidents = service === undefined ? derived : derived.filter((incident) => incident.service === service);
  const mttrMs = mttrByService(incidents);
  if (service !== undefined && !Object.hasOwn(mttrMs, service)) mttrMs[service] = null;
  await yieldToLoop();
  const page = newestFirst(incidents).slice(0, request.limit);
  if (!graph) return { incidents: page, mttrMs, truncated };
  // The window's incidents indexed, then each incident a binary search per service it depends on: a chunk a turn.
  const index = upstreamIndex(graph);
  for (let start = 0; start < derived.length; start += INCIDENTS_PER_TURN) {
    await yieldToLoop();
    index.add(derived.slice(start, start + INCIDENTS_PER_TURN));
  }
  await yieldToLoop();
  const upstreamOf = index.finder();
  const withUpstreams: Incident[] = [];
  for (let start = 0; start < page.length; start += UPSTREAMS_PER_TURN) {
    await yieldToLoop();
    for (const incident of page.slice(start, start + UPSTREAMS_PER_TURN)) withUpstreams.push(upstreamOf(incident));
  }
  return { incidents: withUpstreams, mttrMs, truncated };
}
