/** A bounded number of OTLP requests in progress at once; beyond it the caller is told to retry later. */
export function createInFlightLimit(max: number) {
  let inFlight = 0;
  let refused = 0;
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
    release(): void {
      inFlight = Math.max(0, inFlight - 1);
    },
    stats: () => ({ inFlight, refused }),
  };
}

export type InFlightLimit = ReturnType<typeof createInFlightLimit>;
