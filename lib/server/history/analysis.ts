import type { Kysely } from 'kysely';
import type { EventKind, HistoryEvent } from '@/lib/model/events';
import { DEFAULT_MERGE_GAP_MS, dependenciesOf, deriveIncidents, mttrByService, newestFirst, withUpstream, type IncidentList } from '@/lib/model/incidents';
import type { Adjacency } from '@/lib/model/topology/graph';
import { knownMsOf, statusesAtStart, statusTimeline, stripOf, uptimeOf, type UptimeReport } from '@/lib/model/uptime';
import type { HistoryDatabase } from './schema';
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

interface Loaded {
  events: HistoryEvent[];
  /** Events are complete strictly before this time. */
  coveredUntilMs: number;
  truncated: boolean;
}

/** State events in [fromMs, toMs), ascending, for some services or all; at most `maxRows`. */
async function stateEventsIn(db: Db, fromMs: number, toMs: number, services: readonly string[] | undefined, maxRows: number): Promise<Loaded> {
  let select = db.selectFrom('events').selectAll().where('kind', 'in', STATE_KINDS).where('at_ms', '>=', fromMs).where('at_ms', '<', toMs);
  if (services !== undefined) select = select.where('service', 'in', services);
  const rows = await select.orderBy('at_ms', 'asc').orderBy('id', 'asc').limit(maxRows + 1).execute();
  const firstLeftOut = rows[maxRows];
  if (!firstLeftOut) return { events: rows.map(toHistoryEvent), coveredUntilMs: toMs, truncated: false };
  // Rows sharing the first left-out row's instant may be partly missing: stop just before it.
  const coveredUntilMs = firstLeftOut.at_ms;
  return { events: rows.filter((row) => row.at_ms < coveredUntilMs).map(toHistoryEvent), coveredUntilMs, truncated: true };
}

/** Each instance's last state event before `beforeMs` (one row per service and instance), for some services or all. */
async function lastStateEventsBefore(db: Db, beforeMs: number, services: readonly string[] | undefined): Promise<HistoryEvent[]> {
  let inner = db
    .selectFrom('events')
    .selectAll()
    .select((eb) =>
      eb.fn
        .agg<number>('row_number')
        .over((over) => over.partitionBy(['service', 'instance']).orderBy('at_ms', 'desc').orderBy('id', 'desc'))
        .as('recency'),
    )
    .where('kind', 'in', STATE_KINDS)
    .where('at_ms', '<', beforeMs)
    .where('instance', 'is not', null);
  if (services !== undefined) inner = inner.where('service', 'in', services);
  const rows = await db.selectFrom(inner.as('ranked')).selectAll().where('recency', '=', 1).orderBy('at_ms', 'asc').orderBy('id', 'asc').limit(MAX_ANALYSIS_ROWS).execute();
  return rows.map(toHistoryEvent);
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
}

/**
 * A service's uptime and heartbeat strips over [fromMs, toMs): its state events in the window,
 * the fleet's gaps overlapping it, and each instance's last state event before it (its status at
 * the start). Reads at most `MAX_ANALYSIS_ROWS` events of the window (see `truncated`).
 */
export async function serviceUptime(history: Pick<History, 'db'>, request: UptimeRequest): Promise<UptimeReport> {
  const { service, fromMs, toMs, buckets } = request;
  const [loaded, before, gaps] = await Promise.all([
    stateEventsIn(history.db, fromMs, toMs, [service], request.maxRows ?? MAX_ANALYSIS_ROWS),
    lastStateEventsBefore(history.db, fromMs, [service]),
    gapsOverlapping(history.db, fromMs, toMs, service),
  ]);
  const timeline = statusTimeline(mergeAscending(loaded.events, gaps), { from: fromMs, to: loaded.coveredUntilMs, initial: statusesAtStart(before) });
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
  /** Who calls or declares whom now, for each incident's `upstream`; without it every `upstream` is null. */
  graph?: Adjacency;
}

/** Most services one service's incidents are read beside, for their `upstream`; beyond it, every service's are read. */
const MAX_UPSTREAM_SERVICES = 500;

/** One service, and with a map what it depends on (their incidents may be its upstream): undefined for all. */
function servicesToRead(service: string, graph: Adjacency | undefined): string[] | undefined {
  if (!graph) return [service];
  const dependencies = dependenciesOf(graph, service);
  return dependencies.size > MAX_UPSTREAM_SERVICES ? undefined : [service, ...dependencies];
}

/**
 * Incidents overlapping [sinceMs, untilMs), newest first, at most `limit`, and MTTR per service over
 * all of them (not only the page). A failure still going on at `sinceMs` is carried in from its own
 * `health.changed`, so an incident open across the window's start is reported from when that
 * instance failed (an incident that had merged earlier failures may have opened before that).
 * Reads at most `MAX_ANALYSIS_ROWS` events of the window (see `truncated`).
 */
export async function incidentsIn(history: Pick<History, 'db'>, request: IncidentsRequest): Promise<IncidentList & { truncated: boolean }> {
  const { service, graph } = request;
  const services = service === undefined ? undefined : servicesToRead(service, graph);
  const [loaded, before] = await Promise.all([
    stateEventsIn(history.db, request.sinceMs, request.untilMs, services, request.maxRows ?? MAX_ANALYSIS_ROWS),
    lastStateEventsBefore(history.db, request.sinceMs, services),
  ]);
  // Failures still going on at the window's start, and warnings standing then (an incident's first sign).
  const carried = before.filter((event) => event.kind === 'health.changed' && (event.to === 'critical' || event.to === 'warning'));
  const derived = deriveIncidents([...carried, ...loaded.events], {
    now: loaded.coveredUntilMs,
    mergeGapMs: request.mergeGapMs ?? DEFAULT_MERGE_GAP_MS,
  });
  // The services depended on were read for `upstream` only.
  const incidents = service === undefined ? derived : derived.filter((incident) => incident.service === service);
  const mttrMs = mttrByService(incidents);
  if (service !== undefined && !Object.hasOwn(mttrMs, service)) mttrMs[service] = null;
  const page = newestFirst(incidents).slice(0, request.limit);
  return { incidents: graph ? withUpstream(page, graph, derived) : page, mttrMs, truncated: loaded.truncated };
}
