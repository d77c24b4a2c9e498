import { Etcd3 } from 'etcd3';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/model/live';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A plain etcd3 client with library defaults: what the baselines and the load generator use. */
export const rawEtcd = (endpoint: string): Etcd3 => new Etcd3({ hosts: endpoint });

/**
 * A fresh Socket.IO client like the browser's (default transports: long-polling first, then the
 * upgrade to WebSocket), or WebSocket-only when asked. Never reconnects: a drop is a failure here.
 */
export function liveClient(url: string, token: string, options: { websocketOnly?: boolean } = {}): LiveClient {
  return io(url, {
    forceNew: true,
    reconnection: false,
    extraHeaders: { authorization: `Bearer ${token}` },
    ...(options.websocketOnly ? { transports: ['websocket'] } : {}),
  });
}

/** Resolves when the client's transport is WebSocket (after the upgrade from polling). */
export async function upgraded(socket: LiveClient, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (socket.io.engine?.transport.name !== 'websocket') {
    if (Date.now() > deadline) throw new Error('Socket.IO client did not upgrade to WebSocket');
    await sleep(20);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Rejects after `ms` with a message naming what was awaited. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
