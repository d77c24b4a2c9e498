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

interface Pending {
  client?: ClientSide;
  server?: ServerSide;
  expiresAt: number;
}

/**
 * Client and server spans waiting for their other side, keyed by trace id + the client's span id
 * (the server span's parent), as the OpenTelemetry Collector's servicegraph connector pairs them.
 * At most `cap` waiting pairs; the oldest is pushed out first (it comes back as unpaired). Every
 * entry lives `ttlMs`, so insertion order is expiry order.
 */
export function createSpanPairing(options: { cap: number; ttlMs: number }) {
  const pending = new Map<string, Pending>();
  let paired = 0;
  let expired = 0;
  let pushedOut = 0;
  const outOf = (entry: Pending, into: Unpaired): void => {
    if (entry.client) into.clients.push(entry.client);
    if (entry.server) into.servers.push(entry.server);
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
    pending.set(key, { ...side, expiresAt: now + options.ttlMs });
    if (pending.size > options.cap) {
      const [oldestKey, oldest] = pending.entries().next().value as [string, Pending];
      pending.delete(oldestKey);
      pushedOut += 1;
      outOf(oldest, overflow);
    }
    return undefined;
  };

  return {
    offerClient: (client: ClientSide, now: number, overflow: Unpaired) => offer({ client }, now, overflow),
    offerServer: (server: ServerSide, now: number, overflow: Unpaired) => offer({ server }, now, overflow),
    /** Removes and returns every side whose TTL has passed at `now`. */
    expire(now: number): Unpaired {
      const unpaired: Unpaired = { clients: [], servers: [] };
      for (const [key, entry] of pending) {
        if (entry.expiresAt > now) break;
        pending.delete(key);
        expired += 1;
        outOf(entry, unpaired);
      }
      return unpaired;
    },
    stats: () => ({ waiting: pending.size, paired, expired, pushedOut }),
  };
}

export type SpanPairing = ReturnType<typeof createSpanPairing>;
