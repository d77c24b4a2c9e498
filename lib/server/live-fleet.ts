import type { Socket } from 'socket.io';
import { ResumeRequestSchema, type ClientToServerEvents, type ServerToClientEvents, type Snapshot } from '@/lib/model/live';
import type { LiveServer } from './live';
import { createSnapshotPacer, createSocketMemory, encodeEvent, SNAPSHOT_INTERVAL_MS, type SocketMemory } from './socket-memory';
import { createSocketRateLimit } from './socket-rate-limit';
import { systemClock, type Clock } from './store/clock';
import type { LiveFeed } from './store/store';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

const FLEET_ROOM = 'fleet';
/** A client asks to resume only after a gap; more than this per second is a bug or abuse. */
const RESUMES_PER_SECOND = 5;

/**
 * DESIGN's whole-fleet stream, for programs written against it: the snapshot on connect (or the
 * deltas since `resume` when the log still holds them), every delta after, `state:resume` on request.
 * Nothing is computed for it while no such socket is connected.
 *
 * A snapshot is serialised once per store version and the same packet written to every socket that
 * needs it; one socket gets at most one per SNAPSHOT_INTERVAL_MS (asks inside it share the next);
 * a socket over the memory bound gets nothing more and is disconnected (`memory`).
 */
export function attachFleetStream(
  io: LiveServer,
  store: LiveFeed,
  clock: Clock = systemClock,
  memory: SocketMemory = createSocketMemory({}, clock),
): { onConnection(socket: LiveSocket, resume: number | undefined): void; close(): void } {
  const rooms = io.of('/').adapter.rooms;
  const unsubscribe = store.subscribe((delta) => {
    if (rooms.has(FLEET_ROOM)) io.to(FLEET_ROOM).emit('state:delta', delta);
  });
  let encoded: { snapshot: Snapshot; packets: readonly string[] } | undefined;
  /** store.snapshot() is one object per store version: its packet is built once for it. */
  const snapshotPackets = (): readonly string[] => {
    const snapshot = store.snapshot();
    if (encoded?.snapshot !== snapshot) encoded = { snapshot, packets: encodeEvent(io, 'state:snapshot', snapshot) };
    return encoded.packets;
  };

  return {
    onConnection(socket, resume) {
      memory.watch(socket);
      const pacer = createSnapshotPacer(SNAPSHOT_INTERVAL_MS, clock);
      socket.on('disconnect', pacer.close);
      /**
       * Brings the socket up to date and into the fleet room in one synchronous step, so no delta can
       * fall between what it was sent and what it will receive. A paced snapshot finds the socket in
       * the room already (it got one before): it is taken as of when it leaves, and deltas after it follow.
       */
      const catchUp = (fromSeq: number | undefined): void => {
        const deltas = fromSeq === undefined ? null : store.deltasSince(fromSeq);
        if (deltas) {
          for (const delta of deltas) socket.emit('state:delta', delta);
          void socket.join(FLEET_ROOM);
          return;
        }
        pacer.run('fleet', () => {
          if (memory.send(socket, snapshotPackets())) void socket.join(FLEET_ROOM);
        });
      };
      catchUp(resume);
      const allowed = createSocketRateLimit(RESUMES_PER_SECOND, clock.now);
      socket.on('state:resume', (request) => {
        if (!allowed()) return;
        const parsed = ResumeRequestSchema.safeParse(request);
        catchUp(parsed.success ? parsed.data.seq : undefined);
      });
    },
    close: unsubscribe,
  };
}
