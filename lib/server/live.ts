import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/model/live';
import { attachLiveViews } from './live-views';
import type { LiveFeed } from './store/store';

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;

/**
 * Live updates per view (docs/ARCHITECTURE "Live updates"): a socket gets nothing until it
 * subscribes to the summary or to a service.
 */
export function attachLiveHub(io: LiveServer, store: LiveFeed, onConnectionCount: (count: number) => void): () => void {
  const views = attachLiveViews(io, store);
  io.on('connection', (socket) => {
    onConnectionCount(io.engine.clientsCount);
    views.onConnection(socket);
    socket.on('disconnect', () => onConnectionCount(io.engine.clientsCount));
  });
  return views.close;
}
