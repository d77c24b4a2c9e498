import { Etcd3 } from 'etcd3';
import { io, type Socket } from 'socket.io-client';
import { VIEWS_HANDSHAKE, type ClientToServerEvents, type ServerToClientEvents, type ServiceSnapshot } from '@/lib/model/live';

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
    auth: VIEWS_HANDSHAKE,
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

/**
 * Subscribes to the given service views (a service page each) and resolves with their first
 * snapshots; rejects if the connection is refused. Subscribe before awaiting anything else, so the
 * first snapshots are not missed.
 */
export function subscribeServices(socket: LiveClient, services: readonly string[]): Promise<ServiceSnapshot[]> {
  const pending = new Set(services);
  const snapshots: ServiceSnapshot[] = [];
  return new Promise((resolve, reject) => {
    const onSnapshot = (snapshot: ServiceSnapshot): void => {
      if (!pending.delete(snapshot.service)) return;
      snapshots.push(snapshot);
      if (pending.size > 0) return;
      socket.off('service:snapshot', onSnapshot);
      resolve(snapshots);
    };
    socket.on('service:snapshot', onSnapshot);
    socket.once('connect_error', reject);
    for (const service of services) socket.emit('live:subscribe', { view: 'service', service });
  });
}

/** Subscribes to the summary view (the services list, the map, the header) and resolves with its snapshot. */
export { firstSummary as subscribeSummary } from '../tests/support/live-views';

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
