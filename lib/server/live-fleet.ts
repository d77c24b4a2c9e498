import type { Socket } from 'socket.io';
import { ResumeRequestSchema, type ClientToServerEvents, type ServerToClientEvents } from '@/lib/model/live';
import type { LiveServer } from './live';
import { createSocketRateLimit } from './socket-rate-limit';
import type { LiveFeed } from './store/store';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const FLEET_ROOM = 'fleet';
/** A client asks to resume only after a gap; more than this per second is a bug or abuse. */
const RESUMES_PER_SECOND = 5;

/**
 * Brings a socket up to date and into the fleet room in one synchronous step, so no delta can fall
 * between what it was sent and what it will receive.
 */
function catchUp(socket: LiveSocket, store: LiveFeed, fromSeq: number | undefined): void {
  const deltas = fromSeq === undefined ? null : store.deltasSince(fromSeq);
  if (deltas) for (const delta of deltas) socket.emit('state:delta', delta);
  else socket.emit('state:snapshot', store.snapshot());
  void socket.join(FLEET_ROOM);
}

/**
 * DESIGN's whole-fleet stream, for programs written against it: the snapshot on connect (or the
 * deltas since `resume` when the log still holds them), every delta after, `state:resume` on request.
 * Nothing is computed for it while no such socket is connected.
 */
export function attachFleetStream(io: LiveServer, store: LiveFeed, now: () => number = Date.now): { onConnection(socket: LiveSocket, resume: number | undefined): void; close(): void } {
  const rooms = io.of('/').adapter.rooms;
  const unsubscribe = store.subscribe((delta) => {
    if (rooms.has(FLEET_ROOM)) io.to(FLEET_ROOM).emit('state:delta', delta);
  });
  return {
    onConnection(socket, resume) {
      catchUp(socket, store, resume);
      const allowed = createSocketRateLimit(RESUMES_PER_SECOND, now);
      socket.on('state:resume', (request) => {
        if (!allowed()) return;
        const parsed = ResumeRequestSchema.safeParse(request);
        catchUp(socket, store, parsed.success ? parsed.data.seq : undefined);
      });
    },
    close: unsubscribe,
  };
}
