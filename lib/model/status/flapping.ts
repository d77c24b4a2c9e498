/**
 * Flapping: an instance whose status goes into and out of `critical` again and again. Each change
 * alone reads true ("Recovered at 07:31:02") but a recovery that does not hold is not one; an
 * on-call engineer needs to see the pattern (docs/ARCHITECTURE.md "Flapping").
 */

/** Changes into or out of critical are counted over this long (and an instance stays flapping until they are older). */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** Failed, recovered, failed again: the recovery did not hold. */
export const FLAP_MIN_CHANGES = 3;
/** Change times kept on an instance: past this the count says "or more" (a 1 s probe flapping for 10 min makes 600). */
export const FLAP_CHANGES_KEPT = 64;

/** An instance's flapping: `changes` into or out of critical from `since` to `last` (ISO), all within FLAP_WINDOW_MS of now. */
export interface Flapping {
  changes: number;
  since: string;
  last: string;
  /** More changes were made than kept: `changes` is a floor. */
  atLeast?: true;
}

/**
 * `changes` (ISO times of an instance's changes into or out of critical, oldest first) with one
 * more at `at`, in time order, without those older than FLAP_WINDOW_MS before the newest, at most
 * FLAP_CHANGES_KEPT. A time that does not parse changes nothing.
 */
export function withCriticalChange(changes: readonly string[] | undefined, at: string): string[] {
  const atMs = Date.parse(at);
  const kept = changes ?? [];
  if (Number.isNaN(atMs)) return [...kept];
  const all = [...kept, at].sort((a, b) => Date.parse(a) - Date.parse(b));
  const newestMs = Date.parse(all[all.length - 1] as string);
  return all.filter((change) => newestMs - Date.parse(change) < FLAP_WINDOW_MS).slice(-FLAP_CHANGES_KEPT);
}

/** Whether the instance with these change times is flapping at `nowMs` (null: not; a change at most FLAP_WINDOW_MS old counts). */
export function flappingOf(changes: readonly string[] | undefined, nowMs: number): Flapping | null {
  if (changes === undefined) return null;
  const counted = changes.filter((change) => {
    const ageMs = nowMs - Date.parse(change);
    return ageMs >= 0 && ageMs < FLAP_WINDOW_MS;
  });
  const since = counted[0];
  const last = counted[counted.length - 1];
  if (counted.length < FLAP_MIN_CHANGES || since === undefined || last === undefined) return null;
  return { changes: counted.length, since, last, ...(changes.length >= FLAP_CHANGES_KEPT && counted.length === changes.length ? { atLeast: true as const } : {}) };
}
