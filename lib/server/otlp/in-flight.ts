/**
 * A bounded number of OTLP requests in progress at once; beyond it the caller is told to retry
 * later. Their decoding and recording is synchronous work (tens of ms for a big export), so they
 * also take turns: one per event-loop turn, with I/O polled in between, so a `/healthz` or a page
 * request is answered between two exports rather than after every one whose body arrived together.
 */
export function createInFlightLimit(max: number) {
  let inFlight = 0;
  let refused = 0;
  /** Requests waiting for their turn (at most `max`: only holders of a place wait). */
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const giveTurn = (): void => {
    scheduled = false;
    waiting.shift()?.();
    // Scheduled from this check phase, the next turn comes after the next I/O poll.
    if (waiting.length > 0) {
      scheduled = true;
      setImmediate(giveTurn);
    }
  };
  return {
    /** Takes a place, or returns false when all are taken; `release` must be called once per place taken. */
    tryAcquire(): boolean {
      if (inFlight >= max) {
        refused += 1;
        return false;
      }
      inFlight += 1;
      return true;
    },
    /** Runs `work` (synchronous: a request's decoding and recording) on this request's turn. */
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

export type InFlightLimit = ReturnType<typeof createInFlightLimit>;
