import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { ResumeRequestSchema, type ClientToServerEvents, type ServerToClientEvents } from '@/lib/model/live';
import { attachLiveViews } from './live-views';
import type { LiveFeed } from './store/store';

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const ROOM = 'live';
/** A browser asks to resume only after a gap; more than this per second is a bug or abuse. */
const RESUMES_PER_SECOND = 5;

const HandshakeSchema = z.object({ epoch: z.string().max(64).optional(), seq: z.number().int().nonnegative().optional() });

/**
 * Brings a socket up to date and into the broadcast room in one synchronous step, so no delta
 * can fall between what it was sent and what it will receive.
 */
function catchUp(socket: LiveSocket, store: LiveFeed, fromSeq: number | undefined): void {
  const deltas = fromSeq === undefined ? null : store.deltasSince(fromSeq);
  if (deltas) for (const delta of deltas) socket.emit('state:delta', delta);
  else socket.emit('state:snapshot', store.snapshot());
  void socket.join(ROOM);
}

/** Snapshot on connect, coalesced deltas after, resume on request (DESIGN §1). */
export function attachLiveHub(io: LiveServer, store: LiveFeed, onConnectionCount: (count: number) => void): () => void {
  const unsubscribe = store.subscribe((delta) => io.to(ROOM).emit('state:delta', delta));
  const views = attachLiveViews(io, store);
  io.on('connection', (socket) => {
    onConnectionCount(io.engine.clientsCount);
    views.onConnection(socket);
    const handshake = HandshakeSchema.safeParse(socket.handshake.auth);
    const resumable = handshake.success && handshake.data.epoch === store.epoch;
    catchUp(socket, store, resumable ? handshake.data.seq : undefined);
    let windowStart = 0;
    let resumes = 0;
    socket.on('state:resume', (request) => {
      const now = Date.now();
      if (now - windowStart > 1_000) {
        windowStart = now;
        resumes = 0;
      }
      resumes += 1;
      if (resumes > RESUMES_PER_SECOND) return;
      const parsed = ResumeRequestSchema.safeParse(request);
      catchUp(socket, store, parsed.success ? parsed.data.seq : undefined);
    });
    socket.on('disconnect', () => onConnectionCount(io.engine.clientsCount));
  });
  return () => {
    unsubscribe();
    views.close();
  };
}
