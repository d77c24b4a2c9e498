import type { SpanFact } from './spans';

export type ClientSide = Extract<SpanFact, { role: 'client' }>;
export type ServerSide = Extract<SpanFact, { role: 'server' }> & { pairKey: string };

/** A client span and the server span whose parent it is. */
export interface Pair {
  client: ClientSide;
  server: ServerSide;
}

/** Spans whose other side did not come within the TTL, or were pushed out by the cap. */
export interface Unpaired {
  clients: ClientSide[];
  servers: ServerSide[];
}

/** One waiting side under its key (the key on it, so the arrival order needs no record of its own). */
interface Pending {
  key: string;
  client: ClientSide | undefined;
  server: ServerSide | undefined;
  expiresAt: number;
}

/** Client and server spans waiting for their other side (createSpanPairing). */
export interface SpanPairing {
  /** Offers a client span at `now`: the completed pair when its server span was waiting, else undefined (it waits; sides pushed out by the cap go to `overflow`). */
  offerClient(client: ClientSide, now: number, overflow: Unpaired): Pair | undefined;
  /** Offers a server span at `now`: the completed pair when its client span was waiting, else undefined (it waits; sides pushed out by the cap go to `overflow`). */
  offerServer(server: ServerSide, now: number, overflow: Unpaired): Pair | undefined;
  /** Removes and returns every side whose TTL has passed at `now`. */
  expire(now: number): Unpaired;
  stats(): SpanPairingStats;
}

export interface SpanPairingStats {
  /** Keys with a side waiting now. */
  waiting: number;
  /** Pairs completed so far. */
  paired: number;
  /** Sides that waited past the TTL alone, so far. */
  expired: number;
  /** Sides pushed out alone by the cap, so far. */
  pushedOut: number;
  /** Entries in the arrival queue, paired ones not yet passed over included. */
  queued: number;
}

/**
 * Client and server spans waiting for their other side, keyed by trace id + the client's span id
 * (the server span's parent), as the OpenTelemetry Collector's servicegraph connector pairs them.
 * At most `cap` waiting pairs; the oldest is pushed out first (it comes back as unpaired). Every
 * entry lives `ttlMs`, so insertion order is expiry order.
 */
export function createSpanPairing(options: { cap: number; ttlMs: number }): SpanPairing {
  const pending = new Map<string, Pending>();
  /**
   * Waiting sides in arrival order, which is expiry order, read from `head`. A Map would give the
   * oldest entry too, but only by walking past every entry deleted since it last compacted (paired
   * spans leave many): tens of µs a call at tens of thousands waiting. A paired side stays here,
   * stale, until its turn or the next rebuild; rebuilds keep this under 2 × cap + 1,024 entries.
   */
  let order: Pending[] = [];
  let head = 0;
  let paired = 0;
  let expired = 0;
  let pushedOut = 0;
  const outOf = (entry: Pending, into: Unpaired): void => {
    if (entry.client) into.clients.push(entry.client);
    if (entry.server) into.servers.push(entry.server);
  };

  /** Takes the oldest waiting side off `order` if `take` says so; false when there is none or it stays. */
  const takeOldest = (take: (entry: Pending) => boolean, into: Unpaired): boolean => {
    while (head < order.length) {
      const oldest = order[head] as Pending;
      // Paired (or replaced) since it arrived: nothing waits under this slot any more.
      if (pending.get(oldest.key) !== oldest) {
        head += 1;
        continue;
      }
      if (!take(oldest)) return false;
      head += 1;
      pending.delete(oldest.key);
      outOf(oldest, into);
      return true;
    }
    return false;
  };

  const compact = (): void => {
    if (head > 1_024 && head * 2 > order.length) {
      order = order.slice(head);
      head = 0;
    }
    if (order.length - head > 2 * options.cap + 1_024) {
      order = order.slice(head).filter((entry) => pending.get(entry.key) === entry);
      head = 0;
    }
  };

  /** Offers one side at `now`: the completed pair when the other side was waiting, else undefined (it waits). */
  const offer = (side: { client: ClientSide } | { server: ServerSide }, now: number, overflow: Unpaired): Pair | undefined => {
    const key = 'client' in side ? side.client.pairKey : side.server.pairKey;
    const found = pending.get(key);
    if (found) {
      const client = 'client' in side ? side.client : found.client;
      const server = 'server' in side ? side.server : found.server;
      // The same side twice (a re-sent span) waits no longer: the first is kept.
      if (client && server) {
        pending.delete(key);
        paired += 1;
        return { client, server };
      }
      return undefined;
    }
    const entry: Pending = { key, client: 'client' in side ? side.client : undefined, server: 'server' in side ? side.server : undefined, expiresAt: now + options.ttlMs };
    pending.set(key, entry);
    order.push(entry);
    while (pending.size > options.cap && takeOldest(() => true, overflow)) pushedOut += 1;
    compact();
    return undefined;
  };

  return {
    offerClient: (client: ClientSide, now: number, overflow: Unpaired) => offer({ client }, now, overflow),
    offerServer: (server: ServerSide, now: number, overflow: Unpaired) => offer({ server }, now, overflow),
    expire(now: number): Unpaired {
      const unpaired: Unpaired = { clients: [], servers: [] };
      while (takeOldest((entry) => entry.expiresAt <= now, unpaired)) expired += 1;
      compact();
      return unpaired;
    },
    stats: () => ({ waiting: pending.size, paired, expired, pushedOut, queued: order.length - head }),
  };
}
