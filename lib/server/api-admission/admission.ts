/** How many API requests are handled at once, per client and in all, and how many may wait for a place. */
export interface ApiLimits {
  clientInFlight: number;
  clientWaiting: number;
  totalInFlight: number;
  totalWaiting: number;
}

/** Why a request was refused: its own client holds its share (429), or everyone together fill the server (503). */
export type ApiRefusal = 'client' | 'total';

/** Places taken, requests waiting and clients holding either now; requests refused since start, by why. */
export interface ApiAdmissionStats {
  inFlight: number;
  waiting: number;
  clients: number;
  refused: Record<ApiRefusal, number>;
}

/** API requests in progress, bounded per client and in all (createApiAdmission). */
export interface ApiAdmission {
  /**
   * Runs `start` once the request has a place: at once, or when one frees. Returns how the request
   * leaves (a reply sent, or its client gone while it waited); once is enough, more are ignored.
   * Refused when its client's wait, or everyone's, is full.
   */
  enter(client: string, start: () => void): { ok: true; leave: () => void } | { ok: false; refusal: ApiRefusal };
  stats(): ApiAdmissionStats;
}

interface ClientPlaces {
  inFlight: number;
  /** Its requests waiting, in arrival order (a Set keeps it, and lets one leave). */
  waiting: Set<() => void>;
}

/**
 * A bounded number of API requests handled at once, per client and in all, each with a bounded
 * wait. Everything past them is refused at once, before Next does any work: 1,100 parallel requests
 * from one script kept Next busy for seconds, and `/healthz` and every other user waited behind
 * them. Freed places go to the waiting clients in turn, so a flooding client's long queue does not
 * starve another's.
 */
export function createApiAdmission(limits: ApiLimits): ApiAdmission {
  /** Clients holding or waiting for a place; insertion order is turn order (a client served moves last). */
  const clients = new Map<string, ClientPlaces>();
  let inFlight = 0;
  let waiting = 0;
  // Counted so an operator can tell clients are being refused (/metrics, Diagnostics), not only the clients.
  const refused: Record<ApiRefusal, number> = { client: 0, total: 0 };

  const forgetIfIdle = (client: string, places: ClientPlaces): void => {
    if (places.inFlight === 0 && places.waiting.size === 0) clients.delete(client);
  };
  /** The first waiting request of the client whose turn it is (one under its own bound), which moves last. */
  const nextTurn = (): (() => void) | undefined => {
    for (const [client, places] of clients) {
      const [begin] = places.waiting;
      if (begin === undefined || places.inFlight >= limits.clientInFlight) continue;
      clients.delete(client);
      clients.set(client, places);
      return begin;
    }
    return undefined;
  };
  /** Hands free places to waiting requests, one client after another. */
  const handOn = (): void => {
    while (inFlight < limits.totalInFlight) {
      const begin = nextTurn();
      if (!begin) return;
      begin();
    }
  };

  return {
    enter(client, start) {
      let places = clients.get(client);
      if (!places) {
        places = { inFlight: 0, waiting: new Set() };
        clients.set(client, places);
      }
      const own = places;
      let state: 'arriving' | 'holding' | 'waiting' | 'gone' = 'arriving';
      const begin = (): void => {
        if (state === 'waiting') {
          own.waiting.delete(begin);
          waiting -= 1;
        }
        state = 'holding';
        own.inFlight += 1;
        inFlight += 1;
        start();
      };
      const leave = (): void => {
        if (state === 'gone') return;
        if (state === 'holding') {
          own.inFlight -= 1;
          inFlight -= 1;
        } else if (state === 'waiting') {
          own.waiting.delete(begin);
          waiting -= 1;
        }
        state = 'gone';
        forgetIfIdle(client, own);
        handOn();
      };
      if (own.waiting.size === 0 && own.inFlight < limits.clientInFlight && inFlight < limits.totalInFlight) {
        begin();
        return { ok: true, leave };
      }
      const refusal: ApiRefusal | undefined = own.waiting.size >= limits.clientWaiting ? 'client' : waiting >= limits.totalWaiting ? 'total' : undefined;
      if (refusal) {
        refused[refusal] += 1;
        forgetIfIdle(client, own);
        return { ok: false, refusal };
      }
      state = 'waiting';
      own.waiting.add(begin);
      waiting += 1;
      return { ok: true, leave };
    },
    stats: () => ({ inFlight, waiting, clients: clients.size, refused: { ...refused } }),
  };
}
