import type { Server } from 'socket.io';
import { z } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/model/live';
import type { HistoryEvent } from '@/lib/model/events';
import { attachFleetStream } from './live-fleet';
import { attachHistoryFeed } from './live-history';
import { attachLiveViews } from './live-views';
import { createSocketMemory, type SocketMemoryOptions } from './socket-memory';
import { systemClock, type Clock } from './store/clock';
import type { LiveFeed } from './store/store';

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents>;

const HandshakeSchema = z.object({
  views: z.literal(true).optional(),
  epoch: z.string().max(64).optional(),
  seq: z.number().int().nonnegative().optional(),
});

export interface LiveHub {
  /** Committed history events, to the sockets following them. */
  publishHistory(events: readonly HistoryEvent[]): void;
  close(): void;
}

/**
 * Live updates (docs/ARCHITECTURE "Live updates"). Every socket may subscribe to the summary and to
 * services. One that connects with `auth: {views: true}` (the browser) gets nothing else; any other
 * also gets DESIGN's whole-fleet stream, resumed from `auth: {epoch, seq}` when the log still holds it,
 * and every history event (a view socket follows the history it shows).
 */
export function attachLiveHub(io: LiveServer, store: LiveFeed, onConnectionCount: (count: number) => void, options: SocketMemoryOptions & { clock?: Clock } = {}): LiveHub {
  const clock = options.clock ?? systemClock;
  // One bound for everything a socket is sent (docs/ARCHITECTURE "Live updates"): a slow consumer is disconnected.
  const memory = createSocketMemory(options, clock);
  const views = attachLiveViews(io, store, clock.now, undefined, clock, memory);
  const fleet = attachFleetStream(io, store, clock, memory);
  const history = attachHistoryFeed(io);
  io.on('connection', (socket) => {
    memory.watch(socket);
    onConnectionCount(io.engine.clientsCount);
    const handshake = HandshakeSchema.safeParse(socket.handshake.auth);
    const viewsOnly = handshake.success && handshake.data.views === true;
    views.onConnection(socket);
    history.onConnection(socket, !viewsOnly);
    if (!viewsOnly) fleet.onConnection(socket, handshake.success && handshake.data.epoch === store.epoch ? handshake.data.seq : undefined);
    socket.on('disconnect', () => onConnectionCount(io.engine.clientsCount));
  });
  return {
    publishHistory: history.publish,
    close() {
      views.close();
      fleet.close();
    },
  };
}
