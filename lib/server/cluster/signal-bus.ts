import pg from 'pg';
import { CONNECT_TIMEOUT_MS } from '../history/database';
import { decodeSignals, packSignals, type Signal, type SignalKind } from '@/lib/model/cluster/signals';

/**
 * Carries what one replica learns to the others (probe results, received calls, ended sessions).
 * Publishing is fire-and-forget and batched; a replica never hears its own messages.
 */
export interface SignalBus {
  publish<K extends SignalKind>(kind: K, item: Signal<K>): void;
  /** `handler` gets each message's valid items, from another replica. */
  subscribe<K extends SignalKind>(kind: K, handler: (items: Signal<K>[], from: string) => void): () => void;
  /** `handler` runs each time the bus listens again after its connection was lost: what others sent meanwhile was not heard. */
  onListeningAgain(handler: () => void): () => void;
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
    onListeningAgain: () => () => undefined,
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
/**
 * The connection's `application_name` (one set in DATABASE_URL wins), so an operator or a test can
 * tell it from the pool's in `pg_stat_activity`: its last query, a ping's `SELECT 1`, does not.
 */
export const SIGNAL_APPLICATION_NAME = 'switchyard signals';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7_900;
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;
/**
 * How often the connection is asked for a sign of life (`SELECT 1`). A LISTEN-only connection
 * sends nothing of its own, so one to a host gone without a reset (a failover to a new primary
 * behind the same address, a network cut) was silent until the kernel gave it up, ~15 min once it
 * had something to send: this replica heard no other meanwhile and its own sends hung.
 */
export const SIGNAL_PING_INTERVAL_MS = 5_000;
/**
 * How long any query on the connection (the ping, a NOTIFY, the LISTEN) may go unanswered before
 * the connection is taken for dead and replaced. Each is a few bytes to a few KB that PostgreSQL
 * answers in milliseconds; a server that slow is barely serving, and a new connection costs little.
 */
export const SIGNAL_ANSWER_TIMEOUT_MS = 10_000;
/**
 * How long a closing connection may take to be closed by the server before its socket is destroyed.
 * The goodbye (Terminate) asks for no answer and a live server closes at once; sent into a dead link
 * it is never acknowledged, and stop() (and the shutdown behind it) waited until the kernel gave up.
 */
export const SIGNAL_CLOSE_TIMEOUT_MS = 1_000;

/**
 * The replicas' carrier when they share PostgreSQL: LISTEN/NOTIFY on one channel, on a connection
 * of its own (a pooled one cannot stay listening). Why this and not a Socket.IO adapter:
 * docs/ARCHITECTURE.md "Replicas". Notifications sent while a replica's connection is down are not
 * replayed to it — probe results and calls are refreshed every interval anyway, and a reconnecting
 * browser resyncs from the replica's own etcd view. A dead connection is noticed by a ping
 * (`SIGNAL_PING_INTERVAL_MS`) and a bound on every answer (`SIGNAL_ANSWER_TIMEOUT_MS`), so a
 * replica is deaf for at most their sum plus a connect.
 */
export function createPostgresSignalBus(options: PostgresSignalBusOptions): SignalBus {
  const flushMs = options.flushMs ?? 100;
  const maxQueued = options.maxQueued ?? 20_000;
  const log = options.log ?? (() => undefined);
  const handlers = new Map<SignalKind, Set<(items: never[], from: string) => void>>();
  const listeningAgainHandlers = new Set<() => void>();
  const queued = new Map<SignalKind, unknown[]>();
  const stats: SignalBusStats = { connected: false, sent: 0, received: 0, rejected: 0, dropped: 0 };
  let queuedCount = 0;
  let client: pg.Client | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  /** When the connection was last lost (ms), until one listens again: logged then, for how long this replica heard nothing. */
  let deafSince: number | undefined;
  let reconnectDelay = RECONNECT_MIN_MS;
  let stopped = false;
  /**
   * Whether `start()` has listened: only a connection lost after that is reconnected. A first connect
   * that fails fails the start and leaves nothing behind — its reconnect timer went on trying after
   * the start failed, with nobody left to stop it.
   */
  let started = false;
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

  /**
   * A query the connection must answer within `SIGNAL_ANSWER_TIMEOUT_MS`, or it is dropped: pg fails
   * this query and every one queued behind it and emits `error`, which reconnects. Armed when sent,
   * so a query waiting behind an unanswered one is bounded too.
   */
  const ask = async (target: pg.Client, text: string, values?: unknown[]): Promise<void> => {
    const deadline = setTimeout(() => {
      target.connection.stream.destroy(Object.assign(new Error(`no answer within ${SIGNAL_ANSWER_TIMEOUT_MS / 1000} s; connection dropped`), { code: 'ETIMEDOUT' }));
    }, SIGNAL_ANSWER_TIMEOUT_MS);
    deadline.unref();
    try {
      await target.query(text, values);
    } finally {
      clearTimeout(deadline);
    }
  };

  /**
   * Ends a connection, destroying its socket if the server has not closed it within
   * `SIGNAL_CLOSE_TIMEOUT_MS`: between two pings a dead link is not yet noticed, and the goodbye
   * sent into it is never acknowledged.
   */
  const close = async (target: pg.Client): Promise<void> => {
    const deadline = setTimeout(() => target.connection.stream.destroy(), SIGNAL_CLOSE_TIMEOUT_MS);
    deadline.unref();
    try {
      await target.end();
    } catch {
      // Failed already: nothing left to close.
    } finally {
      clearTimeout(deadline);
    }
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: SIGNAL_APPLICATION_NAME });
    const lose = (reason: string): void => {
      if (client !== next) return;
      client = undefined;
      stats.connected = false;
      clearInterval(pingTimer);
      next.removeAllListeners();
      next.on('error', () => undefined);
      void next.end().catch(() => undefined);
      if (stopped || !started) return;
      deafSince ??= Date.now();
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
      await ask(next, `LISTEN ${SIGNAL_CHANNEL}`);
    } catch (error) {
      lose(error instanceof Error ? error.message : String(error));
      throw error;
    }
    // Stopped (or lost) while LISTEN was on its way: that connection is already being ended.
    if (client !== next) return;
    stats.connected = true;
    reconnectDelay = RECONNECT_MIN_MS;
    if (deafSince !== undefined) {
      log(`replica signals: listening again after ${Math.round((Date.now() - deafSince) / 1000)} s; what other replicas sent meanwhile was not heard here (probe results come again within an interval, dismissals of lost instances are asked for)`);
      deafSince = undefined;
      for (const handler of listeningAgainHandlers) {
        try {
          handler();
        } catch (error) {
          log(`replica signals: a listening-again handler failed: ${String(error)}`);
        }
      }
    }
    // LISTEN alone sends nothing: without a query now and then, a dead link stays unnoticed.
    let pinging = false;
    pingTimer = setInterval(() => {
      if (pinging) return;
      pinging = true;
      void ask(next, 'SELECT 1')
        .catch(() => undefined)
        .finally(() => (pinging = false));
    }, SIGNAL_PING_INTERVAL_MS);
    pingTimer.unref();
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
          await ask(target, 'SELECT pg_notify($1, $2)', [SIGNAL_CHANNEL, message.text]);
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
    onListeningAgain(handler) {
      listeningAgainHandlers.add(handler);
      return () => listeningAgainHandlers.delete(handler);
    },
    stats: () => ({ ...stats }),
    async start() {
      await connect();
      started = true;
    },
    async stop() {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      await flush();
      stopped = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      const last = client;
      client = undefined;
      stats.connected = false;
      if (last) await close(last);
    },
  };
}
