import { receiveSummary } from '@/lib/model/summary-parts';
import type { LiveSocket } from './socket';
import { createViewClient, type ViewClient } from './viewClient';

/** A view client driven by a socket: the tab's (lib/client/liveViews.ts) and the tests' (as a tab does). */
export function viewClientOn(socket: LiveSocket): ViewClient {
  const views = createViewClient({
    subscribe: (request) => socket.emit('live:subscribe', request),
    unsubscribe: (request) => socket.emit('live:unsubscribe', request),
    connected: () => socket.connected,
  });
  // Snapshot parts inflate asynchronously: the receiver hands deltas on after the snapshot sent before them.
  const summary = receiveSummary(views.summarySnapshot, views.summaryDelta);
  socket.on('summary:snapshot', summary.part);
  socket.on('summary:delta', summary.delta);
  socket.on('service:snapshot', views.serviceSnapshot);
  socket.on('service:delta', views.serviceDelta);
  // Every (re)connect: the server run may be the same (a catch-up) or new (snapshots).
  socket.on('connect', views.connected);
  if (socket.connected) views.connected();
  return views;
}
