import { formatDuration } from '../duration';
import type { Status } from '../instance';

/**
 * Flapping: an instance whose status goes into and out of `critical` again and again. Each change
 * alone reads true ("Recovered at 07:31:02") but a recovery that does not hold is not one; an
 * on-call engineer needs to see the pattern (docs/ARCHITECTURE.md "Flapping"). The one rule for the
 * service page, its instances and incidents (lib/model/incidents.ts).
 */

/** Changes into or out of critical are counted over this long (and an instance stays flapping until they are older). */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** Failed, recovered, failed again: the recovery did not hold. */
export const FLAP_MIN_CHANGES = 3;
/**
 * Change times kept on an instance: past this the count says "or more" (a 1 s probe flapping for
 * 10 min makes 600). Small: they ride on every update of the instance sent to every browser.
 */
export const FLAP_CHANGES_KEPT = 16;

/**
 * Whether a status change is one flapping counts, and whether the instance is down after it. Down
 * from a change into critical until a recovery — passing, or unknown (no longer judged) — as for
 * incidents: a step between critical and warning is neither a recovery nor a new failure (an error
 * rate swinging about its critical threshold never recovered).
 */
export function criticalChange(wasDown: boolean, to: Status): { counts: boolean; down: boolean } {
  if (to === 'critical') return { counts: !wasDown, down: true };
  if (to === 'warning') return { counts: false, down: wasDown };
  return { counts: wasDown, down: false };
}

/** An instance's flapping: `changes` into or out of critical from `since` to `last` (ms since the epoch), all within FLAP_WINDOW_MS of now. */
export interface Flapping {
  changes: number;
  since: number;
  last: number;
  /** More changes were made than kept: `changes` is a floor. */
  atLeast?: true;
}

/** The change times (ms, oldest first) flapping still counts at `nowMs`: at most FLAP_WINDOW_MS old. */
function changesInWindow(changes: readonly number[] | undefined, nowMs: number): number[] {
  return (changes ?? []).filter((change) => change <= nowMs && nowMs - change < FLAP_WINDOW_MS);
}

/**
 * `changes` (ms since the epoch, oldest first) with one more at `atMs`, in time order, without those
 * older than FLAP_WINDOW_MS before the newest, at most FLAP_CHANGES_KEPT. A time already there is
 * not added again: two live keys of one service and id share a count, and each may bring the same
 * change (its `statusSince`) again.
 */
export function withCriticalChange(changes: readonly number[] | undefined, atMs: number): number[] {
  if (!Number.isFinite(atMs) || changes?.includes(atMs)) return [...(changes ?? [])];
  const all = [...(changes ?? []), atMs].sort((a, b) => a - b);
  const newestMs = all[all.length - 1] ?? atMs;
  return all.filter((change) => newestMs - change < FLAP_WINDOW_MS).slice(-FLAP_CHANGES_KEPT);
}

/**
 * Whether the instance with these change times is flapping at `nowMs` (null: not; a change at most
 * FLAP_WINDOW_MS old counts): at least `minChanges` of them (the page's FLAP_MIN_CHANGES; the
 * ServiceFlapping alert asks for more, its rule's `flappingChanges`).
 */
export function flappingOf(changes: readonly number[] | undefined, nowMs: number, minChanges = FLAP_MIN_CHANGES): Flapping | null {
  if (changes === undefined) return null;
  const counted = changesInWindow(changes, nowMs);
  const since = counted[0];
  const last = counted[counted.length - 1];
  if (counted.length < minChanges || since === undefined || last === undefined) return null;
  return { changes: counted.length, since, last, ...(changes.length >= FLAP_CHANGES_KEPT && counted.length === changes.length ? { atLeast: true as const } : {}) };
}

/** "payments-1: 5 changes into and out of critical in 4 min 10 s": an instance's flap in the words the page and the alert both say. */
export function flapClause(id: string, { changes, since, atLeast }: Flapping, nowMs: number): string {
  return `${id}: ${changes}${atLeast ? ' or more' : ''} changes into and out of critical in ${formatDuration(nowMs - since)}`;
}

/**
 * Until when (ms, exclusive) these change times make a flap, whatever happens next: the moment the
 * FLAP_MIN_CHANGES-th newest leaves the window (`flappingOf` is null from then on unless another
 * change comes). Undefined for fewer changes than a flap needs.
 */
export function flappingUntilMs(changes: readonly number[] | undefined): number | undefined {
  // Sorted again: times from another replica's row are only validated as numbers.
  const sorted = [...(changes ?? [])].sort((a, b) => a - b);
  const third = sorted[sorted.length - FLAP_MIN_CHANGES];
  return third === undefined ? undefined : third + FLAP_WINDOW_MS;
}

/**
 * Changes counted over a stretch of history, one at a time: `recent` (ms, ascending) with one more
 * at `atMs` (not before the last), keeping those within FLAP_WINDOW_MS of it — at most a window's
 * worth, however long the stretch. Returns how many that is: the count flapping reads at `atMs`.
 */
export function tallyChange(recent: number[], atMs: number): number {
  recent.push(atMs);
  while ((recent[0] ?? atMs) <= atMs - FLAP_WINDOW_MS) recent.shift();
  return recent.length;
}
