import type { Socket } from 'socket.io';
import type { PacketType } from 'socket.io-parser';
import type { ClientToServerEvents, LiveClosing, ServerToClientEvents } from '@/lib/model/live';
import type { LiveServer } from './live';
import { systemClock, type Clock } from './store/clock';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/**
 * What a live socket may leave unread before it is a slow consumer: bytes the server wrote that
 * have not reached the kernel (ws / net.Socket's buffer) plus what engine.io still queues
 * (characters of each packet). The check is made before each new packet, so a socket holds at most
 * this plus one message (the largest is a whole-fleet snapshot, ~2 MB at 10,000 instances).
 */
export const MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** A slow consumer's time to read what it was sent, the notice and the disconnect, before the connection is cut. */
export const SLOW_CONSUMER_GRACE_MS = 5_000;
/** A socket gets at most one snapshot of a view (the fleet, one service) per this; more asks share the next one. */
export const SNAPSHOT_INTERVAL_MS = 1_000;

export interface SocketMemoryOptions {
  limitBytes?: number;
  graceMs?: number;
  /** Called once per socket found slow (the hub counts them on /metrics). */
  onSlowConsumer?: (notice: LiveClosing) => void;
}

/** The bound every live socket is held to (docs/ARCHITECTURE "Live updates"). */
export interface SocketMemory {
  /** Starts measuring a socket's unsent data (idempotent); call before anything is sent to it. */
  watch(socket: LiveSocket): void;
  /** Unsent bytes now (0 for a socket not watched). */
  unsent(socket: LiveSocket): number;
  /**
   * Writes packets encoded once for many sockets (`encodeEvent`), unless the socket is gone or a
   * slow consumer (it is then disconnected): false when nothing was written.
   */
  send(socket: LiveSocket, packets: readonly string[]): boolean;
  /** True (and the socket is being disconnected) when it is over the bound. */
  overLimit(socket: LiveSocket): boolean;
}

interface WsLike {
  readonly bufferedAmount: number;
  readonly readyState: number;
  terminate(): void;
}
interface EnginePacket {
  data?: unknown;
}

/** The `ws` socket under a WebSocket transport; undefined for long-polling (its data waits in engine.io's queue). */
function wsOf(socket: LiveSocket): WsLike | undefined {
  const transport = socket.conn.transport as unknown as { name?: string; socket?: WsLike };
  return transport.name === 'websocket' ? transport.socket : undefined;
}

const sizeOf = (data: unknown): number => {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
};

const WS_CLOSED = 3;

export function createSocketMemory(options: SocketMemoryOptions = {}, clock: Clock = systemClock): SocketMemory {
  const limitBytes = options.limitBytes ?? MAX_UNSENT_BYTES;
  const graceMs = options.graceMs ?? SLOW_CONSUMER_GRACE_MS;
  const watched = new WeakMap<LiveSocket, { queued: number; slow: boolean }>();

  const unsent = (socket: LiveSocket): number => {
    const state = watched.get(socket);
    return state ? state.queued + (wsOf(socket)?.bufferedAmount ?? 0) : 0;
  };

  /** Stops serving the socket: tells it why (behind what it has not read), disconnects, and cuts the connection after the grace period. */
  const drop = (socket: LiveSocket, state: { slow: boolean }, unsentBytes: number): void => {
    state.slow = true;
    const notice: LiveClosing = {
      reason: 'slow consumer',
      unsentBytes,
      limitBytes,
      message: `disconnected: ${unsentBytes} bytes sent to this connection were still unread (limit ${limitBytes}); read faster or ask for less, then reconnect`,
    };
    options.onSlowConsumer?.(notice);
    // After the step that sent the last packet (a broadcast may be going through its room).
    queueMicrotask(() => {
      const ws = wsOf(socket);
      const conn = socket.conn;
      socket.emit('live:closing', notice);
      // Leaves every room (nothing more is queued for it), sends the disconnect packet and closes once engine.io's queue drains.
      socket.disconnect(true);
      clock.after(graceMs, () => {
        // Never read: what it holds (the ws buffer, engine.io's queue) is released now, not at ws's 30 s close timeout.
        if (ws && ws.readyState !== WS_CLOSED) ws.terminate();
        conn.close(true);
      });
    });
  };

  const overLimit = (socket: LiveSocket): boolean => {
    const state = watched.get(socket);
    if (!state) return false;
    if (state.slow) return true;
    const bytes = unsent(socket);
    if (bytes <= limitBytes) return false;
    drop(socket, state, bytes);
    return true;
  };

  return {
    watch(socket) {
      if (watched.has(socket)) return;
      const state = { queued: 0, slow: false };
      watched.set(socket, state);
      // engine.io queues a packet while its transport is busy (the ws has not flushed the last
      // batch to the kernel) and hands the queue on at 'flush'; what ws holds is its bufferedAmount.
      socket.conn.on('packetCreate', (packet: EnginePacket) => {
        // Broadcasts (deltas to a room) come through here too, not only what this module sends.
        if (!state.slow) overLimit(socket);
        state.queued += sizeOf(packet.data);
      });
      socket.conn.on('flush', (packets: EnginePacket[]) => {
        for (const packet of packets) state.queued -= sizeOf(packet.data);
      });
    },
    unsent,
    overLimit,
    send(socket, packets) {
      if (!socket.connected || socket.conn.readyState !== 'open' || overLimit(socket)) return false;
      for (const packet of packets) socket.conn.write(packet);
      return true;
    },
  };
}

/** socket.io-parser's PacketType.EVENT (the enum is not exported by socket.io). */
const EVENT = 2 as PacketType.EVENT;

/**
 * One event encoded as Socket.IO would for the main namespace, to be written to many sockets with
 * `SocketMemory.send`: a snapshot is serialised once, not once per socket and request.
 */
export function encodeEvent<E extends keyof ServerToClientEvents>(io: LiveServer, event: E, payload: Parameters<ServerToClientEvents[E]>[0]): readonly string[] {
  const packets: unknown[] = io.encoder.encode({ type: EVENT, nsp: '/', data: [event, payload] });
  if (!packets.every((packet): packet is string => typeof packet === 'string')) throw new Error(`encodeEvent: ${event} carries binary data`);
  return packets;
}

/** Snapshots of one view to one socket, at most one per interval (createSnapshotPacer). */
export interface SnapshotPacer {
  /** Answers now, or once the interval since the last answer for `key` is over (one waiting answer per key). */
  run(key: string, answer: () => void): void;
  close(): void;
}

/**
 * At most one answer per key (a view) per interval for one socket: an ask inside the interval is
 * answered when it ends, and any further asks until then share that answer (run then, with the
 * state as it is then).
 */
export function createSnapshotPacer(intervalMs: number = SNAPSHOT_INTERVAL_MS, clock: Clock = systemClock): SnapshotPacer {
  const lastAt = new Map<string, number>();
  const pending = new Map<string, () => void>();
  return {
    run(key, answer) {
      if (pending.has(key)) return;
      const go = (): void => {
        pending.delete(key);
        lastAt.set(key, clock.now());
        answer();
      };
      const last = lastAt.get(key);
      const wait = last === undefined ? 0 : last + intervalMs - clock.now();
      if (wait <= 0) {
        // Forget keys whose interval is over, so a socket that walks through many services holds few.
        if (lastAt.size > 64) for (const [k, at] of lastAt) if (clock.now() - at >= intervalMs) lastAt.delete(k);
        return go();
      }
      pending.set(key, clock.after(wait, go));
    },
    close() {
      for (const cancel of pending.values()) cancel();
      pending.clear();
    },
  };
}
