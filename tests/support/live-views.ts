import { io, type Socket } from 'socket.io-client';
import { VIEWS_HANDSHAKE, type ClientToServerEvents, type ServerToClientEvents, type SummarySnapshot } from '@/lib/model/live';
import { receiveSummaryParts } from '@/lib/model/summary-parts';
import type { ViewClient } from '@/lib/client/viewClient';
import { viewClientOn } from '@/lib/client/viewSocket';

export type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * A Socket.IO client of a test server on WebSocket, with its admin token: a views socket as the
 * browser opens (unless `views: false`, a program's plain one), not reconnecting unless asked.
 */
export function openLiveSocket(server: { url: string; adminToken: string }, options: { views?: boolean; reconnection?: boolean } = {}): LiveClient {
  return io(server.url, {
    transports: ['websocket'],
    ...(options.views === false ? {} : { auth: VIEWS_HANDSHAKE }),
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 50,
    forceNew: true,
    extraHeaders: { authorization: `Bearer ${server.adminToken}` },
  });
}

/**
 * The browser's view client (lib/client/viewClient.ts) on a socket.io-client socket: holds the
 * summary and/or some services, re-subscribing with resume after every reconnect, as a tab does.
 */
export function followViews(socket: LiveClient, views: { summary?: boolean; services?: string[] }): ViewClient {
  const client = viewClientOn(socket);
  if (views.summary) client.holdSummary();
  for (const service of views.services ?? []) client.holdService(service);
  return client;
}

/** Resolves with the first summary snapshot after subscribing, once inflated and read (or rejects on a refused connection). */
export function firstSummary(socket: LiveClient | Socket): Promise<SummarySnapshot> {
  const live = socket as LiveClient;
  return new Promise((resolve, reject) => {
    const receive = receiveSummaryParts((snapshot) => {
      live.off('summary:snapshot', receive);
      resolve(snapshot);
    });
    live.on('summary:snapshot', receive);
    live.once('connect_error', reject);
    live.emit('live:subscribe', { view: 'summary' });
  });
}
