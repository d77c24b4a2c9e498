import { io, type Socket } from 'socket.io-client';
import { VIEWS_HANDSHAKE, type ClientToServerEvents, type ServerToClientEvents } from '@/lib/model/live';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;

/** The tab's one Socket.IO connection (default path `/socket.io`), created on first use. */
export function getSocket(): LiveSocket {
  socket ??= io({
    // WebSocket only: long-polling's requests must all reach the replica that holds the session, so
    // behind a load balancer without stickiness it fails (docs/DEPLOYMENT.md); one WebSocket needs no stickiness.
    transports: ['websocket'],
    // Views only: the tab subscribes to what it shows, never the whole fleet.
    auth: VIEWS_HANDSHAKE,
  });
  return socket;
}
