import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/model/live';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;
let lastApplied: { epoch: string; seq: number } | undefined;

/** Records where the tab's state is, so a reconnect to the same server run asks for the missed deltas only. */
export function setLastApplied(epoch: string, seq: number): void {
  lastApplied = { epoch, seq };
}

/** The tab's one Socket.IO connection (default path `/socket.io`), created on first use. */
export function getSocket(): LiveSocket {
  socket ??= io({
    // WebSocket only: long-polling's requests must all reach the replica that holds the session, so
    // behind a load balancer without stickiness it fails (docs/DEPLOYMENT.md); one WebSocket needs no stickiness.
    transports: ['websocket'],
    // A function, so every (re)connect sends the seq current at that moment.
    auth: (cb) => cb(lastApplied ?? {}),
  });
  return socket;
}
