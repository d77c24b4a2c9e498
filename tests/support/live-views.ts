import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SubscribeRequest, SummarySnapshot } from '@/lib/model/live';
import { receiveSummaryParts } from '@/lib/model/summary-parts';
import { createViewClient, type ViewClient } from '@/lib/client/viewClient';

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The browser's view client (lib/client/viewClient.ts) on a socket.io-client socket: holds the
 * summary and/or some services, re-subscribing with resume after every reconnect, as a tab does.
 */
export function followViews(socket: LiveClient, views: { summary?: boolean; services?: string[] }): ViewClient {
  const client = createViewClient({
    subscribe: (request: SubscribeRequest) => socket.emit('live:subscribe', request),
    unsubscribe: (request) => socket.emit('live:unsubscribe', request),
    connected: () => socket.connected,
  });
  socket.on('summary:snapshot', receiveSummaryParts(client.summarySnapshot));
  socket.on('summary:delta', client.summaryDelta);
  socket.on('service:snapshot', client.serviceSnapshot);
  socket.on('service:delta', client.serviceDelta);
  socket.on('connect', client.connected);
  if (views.summary) client.holdSummary();
  for (const service of views.services ?? []) client.holdService(service);
  if (socket.connected) client.connected();
  return client;
}

/** Resolves with the first summary snapshot after subscribing (or rejects on a refused connection). */
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
