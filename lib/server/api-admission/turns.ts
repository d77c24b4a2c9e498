/** Work run one piece per turn of the event loop, clients taking turns (createTurns). */
export interface Turns {
  run(client: string, work: () => void): void;
}

/**
 * Runs each piece of work on its own turn of the event loop, with I/O polled in between, the
 * clients with work waiting taking turns (each client's in arrival order). An API request served
 * from memory runs through Next in one go, ~2 ms of synchronous work: started as it was read, a
 * poll phase that read a thousand requests ran them all before reading the next socket, `/healthz`
 * included. Started one per turn, a request read meanwhile is admitted or refused at once,
 * `/healthz` waits behind one request at most, and another client's request behind one of the
 * flooding client's.
 */
export function createTurns(schedule: (next: () => void) => void = setImmediate): Turns {
  /** Work waiting, by client; insertion order is turn order (a client served moves last). */
  const waiting = new Map<string, (() => void)[]>();
  let scheduled = false;
  const turn = (): void => {
    scheduled = false;
    const [next] = waiting;
    if (next) {
      const [client, pieces] = next;
      waiting.delete(client);
      const work = pieces.shift();
      if (pieces.length > 0) waiting.set(client, pieces);
      work?.();
    }
    if (waiting.size > 0) {
      scheduled = true;
      schedule(turn);
    }
  };
  return {
    run(client, work) {
      const pieces = waiting.get(client);
      if (pieces) pieces.push(work);
      else waiting.set(client, [work]);
      if (!scheduled) {
        scheduled = true;
        schedule(turn);
      }
    },
  };
}
