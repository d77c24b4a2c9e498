import pg from 'pg';
import { decodeSignals, packSignals, type Signal, type SignalKind } from '@/lib/model/cluster/signals';

/**
 * Carries what one replica learns to the others (probe results, received calls, ended sessions).
 * Publishing is fire-and-forget and batched; a replica never hears its own messages.
 */
export interface SignalBus {
  publish<K extends SignalKind>(kind: K, item: Signal<K>): void;
  /** `handler` gets each message's valid items, from another replica. */
  subscribe<K extends SignalKind>(kind: K, handler: (items: Signal<K>[], from: string) => void): () => void;
  stats(): SignalBusStats;
  start(): Promise<void>;
  /** Sends what is queued, then closes. */
  stop(): Promise<void>;
}

export interface SignalBusStats {
  connected: boolean;
  sent: number;
  received: number;
  /** Items from others that failed validation, plus messages that were not signals at all. */
  rejected: number;
  /** Items not sent: the queue was full, or one item alone was over the message limit. */
  dropped: number;
}

/** One replica alone (the SQLite default): there is nobody to tell. */
export function createLocalSignalBus(): SignalBus {
  return {
    publish: () => undefined,
    subscribe: () => () => undefined,
    stats: () => ({ connected: true, sent: 0, received: 0, rejected: 0, dropped: 0 }),
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  };
}

export interface PostgresSignalBusOptions {
  url: string;
  replicaId: string;
  /** How long items wait to be sent together (default 100 ms): well inside "every replica within a second". */
  flushMs?: number;
  /** Items waiting to be sent, all kinds together; beyond it new items are dropped and counted. */
  maxQueued?: number;
  log?: (line: string) => void;
}

export const SIGNAL_CHANNEL = 'switchyard_signals';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * The replicas' carrier when they share PostgreSQL: LISTEN/NOTIFY on one channel, on a connection
 * of its own (a pooled one cannot stay listening). Why this and not a Socket.IO adapter:
 * docs/ARCHITECTURE.md "Replicas". Notifications sent while a replica's connection is down are not
 * replayed to it — probe results and calls are refreshed every interval anyway, and a reconnecting
 * browser resyncs from the replica's own etcd view.
 */
export function createPostgresSignalBus(options: PostgresSignalBusOptions): SignalBus {
  const flushMs = options.flushMs ?? 100;
  const maxQueued = options.maxQueued ?? 20_000;
  const log = options.log ?? (() => undefined);
  const handlers = new Map<SignalKind, Set<(items: never[], from: string) => void>>();
  const queued = new Map<SignalKind, unknown[]>();
  const stats: SignalBusStats = { connected: false, sent: 0, received: 0, rejected: 0, dropped: 0 };
  let queuedCount = 0;
  let client: pg.Client | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelay = RECONNECT_MIN_MS;
  let stopped = false;
  let flushing: Promise<void> = Promise.resolve();

  // PostgreSQL delivers a session's own notifications back to it: known by the head packSignals
  // writes, they are dropped before any item is parsed and validated.
  const ownHead = `{"from":${JSON.stringify(options.replicaId)},`;
  const receive = (payload: string | undefined): void => {
    if (payload?.startsWith(ownHead)) return;
    const decoded = payload === undefined ? undefined : decodeSignals(payload);
    if (!decoded) {
      stats.rejected += 1;
      return;
    }
    stats.rejected += decoded.rejected;
    stats.received += decoded.items.length;
    if (decoded.items.length === 0) return;
    for (const handler of handlers.get(decoded.kind) ?? []) {
      try {
        handler(decoded.items as never[], decoded.from);
      } catch (error) {
        log(`replica signals: a ${decoded.kind} handler failed: ${String(error)}`);
      }
    }
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url });
    const lose = (reason: string): void => {
      if (client !== next) return;
      client = undefined;
      stats.connected = false;
      next.removeAllListeners();
      next.on('error', () => undefined);
      void next.end().catch(() => undefined);
      if (stopped) return;
      log(`replica signals: connection to PostgreSQL lost (${reason}); reconnecting`);
      scheduleReconnect();
    };
    next.on('error', (error) => lose(error.message));
    next.on('end', () => lose('closed'));
    next.on('notification', (message) => {
      if (message.channel === SIGNAL_CHANNEL) receive(message.payload);
    });
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN ${SIGNAL_CHANNEL}`);
    } catch (error) {
      lose(error instanceof Error ? error.message : String(error));
      throw error;
    }
    stats.connected = true;
    reconnectDelay = RECONNECT_MIN_MS;
    scheduleFlush();
  };
  const scheduleReconnect = (): void => {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => void connect().catch(() => undefined), reconnectDelay);
    reconnectTimer.unref();
    reconnectDelay = Math.min(RECONNECT_MAX_MS, reconnectDelay * 2);
  };

  const send = async (): Promise<void> => {
    const target = client;
    if (!target || !stats.connected) return;
    const batches = [...queued.entries()];
    queued.clear();
    queuedCount = 0;
    for (const [kind, items] of batches) {
      const { messages, dropped } = packSignals(options.replicaId, kind, items as Signal<typeof kind>[], MAX_PAYLOAD_BYTES);
      stats.dropped += dropped;
      for (const message of messages) {
        try {
          await target.query('SELECT pg_notify($1, $2)', [SIGNAL_CHANNEL, message.text]);
        } catch (error) {
          // The connection's own error handler reconnects; what did not go out is lost with it.
          stats.dropped += message.items;
          log(`replica signals: sending failed: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        stats.sent += message.items;
      }
    }
  };
  const flush = (): Promise<void> => {
    flushing = flushing.then(send);
    return flushing;
  };
  function scheduleFlush(): void {
    if (flushTimer || stopped) return;
    flushTimer = setTimeout(() => {
      flushTimer = undefined;
      void flush();
    }, flushMs);
    flushTimer.unref();
  }

  return {
    publish(kind, item) {
      if (stopped) return;
      if (queuedCount >= maxQueued) {
        stats.dropped += 1;
        return;
      }
      const list = queued.get(kind) ?? [];
      list.push(item);
      queued.set(kind, list);
      queuedCount += 1;
      if (stats.connected) scheduleFlush();
    },
    subscribe(kind, handler) {
      const set = handlers.get(kind) ?? new Set();
      set.add(handler as (items: never[], from: string) => void);
      handlers.set(kind, set);
      return () => set.delete(handler as (items: never[], from: string) => void);
    },
    stats: () => ({ ...stats }),
    async start() {
      await connect();
    },
    async stop() {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      await flush();
      stopped = true;
      clearTimeout(reconnectTimer);
      const last = client;
      client = undefined;
      stats.connected = false;
      await last?.end().catch(() => undefined);
    },
  };
}
