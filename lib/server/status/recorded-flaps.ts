import { CRITICAL_CHANGE_KINDS, recentCriticalChanges, type RecordedCriticalChanges } from '@/lib/model/incidents';
import { FLAP_WINDOW_MS } from '@/lib/model/status/flapping';
import type { History } from '../history/store';

/**
 * Rows read at most: ~40 a second over the window, a whole fleet's crash loops. Past it the newest
 * are read, and the oldest changes of the window are missing from the counts (a floor, logged).
 */
export const RECORDED_ROWS_MAX = 25_000;

/**
 * What History's rows of the last FLAP_WINDOW_MS before `nowMs` say of each instance's flapping
 * (`recentCriticalChanges`, keyed `service\0instance`): what the status publisher starts from, so
 * its count outlives a restart. One query on the window (the kind and time index), whatever the fleet.
 */
export async function readRecordedFlaps(history: Pick<History, 'query'>, nowMs: number, log?: (line: string) => void): Promise<Map<string, RecordedCriticalChanges>> {
  const page = await history.query({
    kind: [...CRITICAL_CHANGE_KINDS],
    since: new Date(nowMs - FLAP_WINDOW_MS).toISOString(),
    until: new Date(nowMs).toISOString(),
    limit: RECORDED_ROWS_MAX,
  });
  if (page.nextCursor !== null) log?.(`flapping: more than ${RECORDED_ROWS_MAX} status rows in the last ${FLAP_WINDOW_MS / 60_000} min; the oldest are not counted after this restart`);
  // Newest first from the store; the rule reads them in the order they happened.
  return recentCriticalChanges(page.events.reverse(), nowMs);
}
