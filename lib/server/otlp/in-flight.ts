import { performance } from 'node:perf_hooks';

/** A turn runs waiting requests' work until this much time has passed, then lets I/O be polled. */
export const TURN_BUDGET_MS = 1;

/** OTLP requests in progress, bounded, taking turns at their synchronous work (createInFlightLimit). */
export interface InFlightLimit {
  /**
   * Runs `start` once the request has a place: at once, or when a holder leaves (waiting in
   * arrival order, at most `maxWaiting` at once). Returns how the request leaves — its place, or
   * its wait (a client gone before its turn came); once is enough, more are ignored — or null
   * when all places and the wait are taken: the request must be refused.
   */
  enter(start: () => void): (() => void) | null;
  /** Runs `work` (synchronous, and throwing nothing: a request's decoding and recording) on this request's turn. */
  turn(work: () => void): void;
  /** Places taken now, requests waiting for one, and requests refused so far. */
  stats(): { inFlight: number; waiting: number; refused: number };
}

/**
 * A bounded number of OTLP requests in progress at once (each with its body, read whole before it
 * asks: up to 4 MiB), and a bounded wait for a place: a stall of the event loop (a GC, a store
 * batch) lets a fleet's exports arrive together, and at 1,000 a second a 20 ms stall is 20 of them;
 * they wait for a place, holding their bodies (bounded by the body places, `body-reception.ts`), and
 * only past the wait is the caller told to retry later. Their decoding and recording is synchronous work (tens of ms for a
 * big export), so they also take turns: a turn runs waiting requests one after another until
 * `TURN_BUDGET_MS` has passed (a big export alone fills it), then I/O is polled before the next,
 * so a `/healthz` or a page request is answered between two big exports rather than after every
 * one whose body arrived together. Small exports share a turn: after a pause, a burst of them is
 * worked off in one or two turns.
 */
export function createInFlightLimit(max: number, options: { maxWaiting?: number; now?: () => number; budgetMs?: number } = {}): InFlightLimit {
  const now = options.now ?? (() => performance.now());
  const budgetMs = options.budgetMs ?? TURN_BUDGET_MS;
  const maxWaiting = options.maxWaiting ?? 0;
  let inFlight = 0;
  let refused = 0;
  /** Requests waiting for a place, in arrival order (a Set keeps it, and lets one leave). */
  const waitingForPlace = new Set<() => void>();
  const handOn = (): void => {
    const [next] = waitingForPlace;
    if (next === undefined) {
      inFlight -= 1;
      return;
    }
    waitingForPlace.delete(next);
    next();
  };
  /** Work of requests waiting for their turn (at most `max`: only holders of a place take turns). */
  const turns: (() => void)[] = [];
  let scheduled = false;
  const giveTurn = (): void => {
    scheduled = false;
    const started = now();
    do turns.shift()?.();
    while (turns.length > 0 && now() - started < budgetMs);
    // Scheduled from this check phase, the next turn comes after the next I/O poll.
    if (turns.length > 0) {
      scheduled = true;
      setImmediate(giveTurn);
    }
  };
  return {
    enter(start: () => void): (() => void) | null {
      let state: 'holding' | 'waiting' | 'gone';
      const begin = (): void => {
        state = 'holding';
        start();
      };
      const leave = (): void => {
        if (state === 'holding') handOn();
        else if (state === 'waiting') waitingForPlace.delete(begin);
        state = 'gone';
      };
      if (inFlight < max) {
        inFlight += 1;
        begin();
        return leave;
      }
      if (waitingForPlace.size < maxWaiting) {
        state = 'waiting';
        waitingForPlace.add(begin);
        return leave;
      }
      refused += 1;
      return null;
    },
    turn(work: () => void): void {
      turns.push(work);
      if (!scheduled) {
        scheduled = true;
        setImmediate(giveTurn);
      }
    },
    stats: () => ({ inFlight, waiting: waitingForPlace.size, refused }),
  };
}
