import { performance } from 'node:perf_hooks';

/** A turn runs waiting requests' work until this much time has passed, then lets I/O be polled. */
export const TURN_BUDGET_MS = 1;

/** OTLP requests in progress, bounded, taking turns at their synchronous work (createInFlightLimit). */
export interface InFlightLimit {
  /** Takes a place, or returns false when all are taken; `release` must be called once per place taken. */
  tryAcquire(): boolean;
  /** Runs `work` (synchronous, and throwing nothing: a request's decoding and recording) on this request's turn. */
  turn(work: () => void): void;
  /** Gives back a place taken by `tryAcquire`. */
  release(): void;
  /** Places taken now, and requests refused so far. */
  stats(): { inFlight: number; refused: number };
}

/**
 * A bounded number of OTLP requests in progress at once; beyond it the caller is told to retry
 * later. Their decoding and recording is synchronous work (tens of ms for a big export), so they
 * also take turns: a turn runs waiting requests one after another until `TURN_BUDGET_MS` has
 * passed (a big export alone fills it), then I/O is polled before the next, so a `/healthz` or a
 * page request is answered between two big exports rather than after every one whose body arrived
 * together. Small exports share a turn: after a pause, a burst of them is worked off in one or
 * two turns instead of one each, and frees its places before more arrive to be refused.
 */
export function createInFlightLimit(max: number, options: { now?: () => number; budgetMs?: number } = {}): InFlightLimit {
  const now = options.now ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? TURN_BUDGET_MS;
  let inFlight = 0;
  let refused = 0;
  /** Work of requests waiting for their turn (at most `max`: only holders of a place wait). */
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const giveTurn = (): void => {
    scheduled = false;
    const started = now();
    do waiting.shift()?.();
    while (waiting.length > 0 && now() - started < budgetMs);
    // Scheduled from this check phase, the next turn comes after the next I/O poll.
    if (waiting.length > 0) {
      scheduled = true;
      setImmediate(giveTurn);
    }
  };
  return {
    tryAcquire(): boolean {
      if (inFlight >= max) {
        refused += 1;
        return false;
      }
      inFlight += 1;
      return true;
    },
    turn(work: () => void): void {
      waiting.push(work);
      if (!scheduled) {
        scheduled = true;
        setImmediate(giveTurn);
      }
    },
    release(): void {
      inFlight = Math.max(0, inFlight - 1);
    },
    stats: () => ({ inFlight, refused }),
  };
}
