import { CRITICAL_CHANGE_KINDS, recentCriticalChanges, type RecordedCriticalChanges } from '@/lib/model/incidents';
import type { HistoryEvent } from '@/lib/model/events';
import { FLAP_WINDOW_MS } from '@/lib/model/status/flapping';
import { LATEST_PER_INSTANCE_MAX, type History } from '../history/store';

/**
 * Rows read at most: ~40 a second over the window, a whole fleet's crash loops. Past it the newest
 * are read, and the oldest changes of the window are missing from the counts (a floor, logged).
 */
export const RECORDED_ROWS_MAX = 25_000;

/**
 * What History's rows of the last FLAP_WINDOW_MS before `nowMs` say of each instance's flapping
 * (`recentCriticalChanges`, keyed `service\0instance`): what the status publisher starts from, so
 * its count outlives a restart. One query on the window (the kind and time index), whatever the fleet;
 * then, for the instances whose first row there does not say it (`saysDownBefore`), each one's newest
 * row before the rows read (a seek per kind, at most LATEST_PER_INSTANCE_MAX instances a query, the
 * queries at once): whether it was down as they begin is what every row before left it, not what its
 * first row in the window hints (a warning after a critical, a loss while down).
 */
export async function readRecordedFlaps(history: Pick<History, 'query' | 'latestPerInstance'>, nowMs: number, log?: (line: string) => void): Promise<Map<string, RecordedCriticalChanges>> {
  const page = await history.query({
    kind: [...CRITICAL_CHANGE_KINDS],
    since: new Date(nowMs - FLAP_WINDOW_MS).toISOString(),
    until: new Date(nowMs).toISOString(),
    limit: RECORDED_ROWS_MAX,
  });
  if (page.nextCursor !== null) log?.(`flapping: more than ${RECORDED_ROWS_MAX} status rows in the last ${FLAP_WINDOW_MS / 60_000} min; the oldest are not counted after this restart`);
  // Newest first from the store; the rule reads them in the order they happened.
  const rows = page.events.reverse();
  // Capped, the rows read begin later than the window: the seed is what came before them.
  const beforeMs = page.nextCursor !== null && rows[0] !== undefined ? Date.parse(rows[0].at) : nowMs - FLAP_WINDOW_MS;
  const firstRows = new Map<string, HistoryEvent>();
  for (const row of rows) if (row.service !== undefined && row.instance !== undefined && !firstRows.has(`${row.service}\0${row.instance}`)) firstRows.set(`${row.service}\0${row.instance}`, row);
  const wanted = [...firstRows.values()].filter((row) => !saysDownBefore(row)).map(({ service, instance }) => ({ service: service ?? '', instance: instance ?? '' }));
  // Not one after another: 25,000 instances were 25 queries, 1.5 s in a row on SQLite. On PostgreSQL they share the pool.
  const chunks: Promise<HistoryEvent[]>[] = [];
  for (let from = 0; from < wanted.length; from += LATEST_PER_INSTANCE_MAX) chunks.push(history.latestPerInstance(wanted.slice(from, from + LATEST_PER_INSTANCE_MAX), CRITICAL_CHANGE_KINDS, beforeMs));
  const seeds = (await Promise.all(chunks)).flat();
  seeds.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
  return recentCriticalChanges([...seeds, ...rows], nowMs);
}

/**
 * What History's rows before `nowMs` left each of `instances` (keyed `service\0instance`): ids
 * present at start-up with no row in the window readRecordedFlaps read, whose first verdict History
 * weighs against its newest row before it. No changes (they are older than the window); down as
 * that row left it, and whether by its calls. One with no row at all is not down, as History's rule
 * has it: its first critical is a change. One answer per LATEST_PER_INSTANCE_MAX ids, each given
 * as it comes, so the first verdicts given meanwhile are as few as they can be.
 */
export async function* readRecordedDown(history: Pick<History, 'latestPerInstance'>, instances: readonly { service: string; instance: string }[], nowMs: number): AsyncGenerator<Map<string, RecordedCriticalChanges>> {
  // Asked once probes run, most of a steady fleet: one query at a time, the event loop free between
  // them (better-sqlite3 answers synchronously: 25,000 ids at once held it 0.9 s; one at a time, 0.73 s
  // in all and at most 34 ms held).
  for (let from = 0; from < instances.length; from += LATEST_PER_INSTANCE_MAX) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    const asked = instances.slice(from, from + LATEST_PER_INSTANCE_MAX);
    const rows = await history.latestPerInstance(asked, CRITICAL_CHANGE_KINDS, nowMs);
    rows.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
    const recorded = recentCriticalChanges(rows, nowMs);
    for (const { service, instance } of asked) if (!recorded.has(`${service}\0${instance}`)) recorded.set(`${service}\0${instance}`, { changes: [], down: false });
    yield recorded;
  }
}

/**
 * Whether an instance's first row read says what its rows before left it, so none need be read: from
 * passing it was not down (a pass ends a failure), from critical it was, and made critical by that
 * row's cause, unless it goes to warning (down still, by a row into critical not read). From unknown
 * (a restart's first verdict), warning, or a loss or registration, only the rows before say it.
 */
function saysDownBefore(row: HistoryEvent): boolean {
  return row.kind === 'health.changed' && (row.from === 'passing' || (row.from === 'critical' && row.to !== 'warning'));
}
