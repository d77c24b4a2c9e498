import type { Socket } from 'socket.io';
import type { HistoryEvent } from '@/lib/model/events';
import { HistoryFollowSchema, type ClientToServerEvents, type ServerToClientEvents } from '@/lib/model/live';
import type { LiveServer } from './live';
import { MAX_SERVICE_VIEWS_PER_SOCKET, VIEW_REQUESTS_PER_SECOND } from './live-views';
import { acknowledge, createRequestGuard } from './socket-rate-limit';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Every committed event. */
const ALL_ROOM = 'history';
const SERVICE_ROOM_PREFIX = 'history:service:';
const serviceRoom = (service: string): string => `${SERVICE_ROOM_PREFIX}${service}`;

/** Per-socket history feeds: the whole log, or one service's events. */
export interface HistoryFeed {
  /**
   * A view socket (the browser) follows what its timelines show (`history:follow`); any other
   * socket follows everything from the start, as before views existed.
   */
  onConnection(socket: LiveSocket, followsEverything: boolean): void;
  /** Committed events, oldest first: each socket gets those it follows, once. */
  publish(events: readonly HistoryEvent[]): void;
}

/**
 * History events as they are committed (docs/ARCHITECTURE "Live updates"): a room for every event
 * and one per service. A fleet registering 1,000 instances a second commits 1,000 events a second;
 * a tab showing one service's timeline gets that service's, one showing none gets none.
 */
export function attachHistoryFeed(io: LiveServer, now: () => number = Date.now): HistoryFeed {
  const rooms = io.of('/').adapter.rooms;
  return {
    publish(events) {
      if (events.length === 0) return;
      if (rooms.has(ALL_ROOM)) io.to(ALL_ROOM).emit('history:events', [...events]);
      const byService = new Map<string, HistoryEvent[]>();
      for (const event of events) {
        if (event.service === undefined || !rooms.has(serviceRoom(event.service))) continue;
        const list = byService.get(event.service);
        if (list) list.push(event);
        else byService.set(event.service, [event]);
      }
      // A socket following everything already has these.
      for (const [service, list] of byService) io.to(serviceRoom(service)).except(ALL_ROOM).emit('history:events', list);
    },
    onConnection(socket, followsEverything) {
      if (followsEverything) void socket.join(ALL_ROOM);
      const accepted = createRequestGuard(VIEW_REQUESTS_PER_SECOND, now);
      const services = new Set<string>();
      socket.on('history:follow', (request, ack) => {
        const reply = acknowledge(ack);
        const follow = accepted(HistoryFollowSchema, request, reply);
        if (!follow) return;
        if (follow.service === undefined) {
          void socket.join(ALL_ROOM);
        } else {
          if (!services.has(follow.service) && services.size >= MAX_SERVICE_VIEWS_PER_SOCKET) {
            return reply?.({ ok: false, error: `at most ${MAX_SERVICE_VIEWS_PER_SOCKET} service feeds per connection` });
          }
          services.add(follow.service);
          void socket.join(serviceRoom(follow.service));
        }
        reply?.({ ok: true });
      });
      socket.on('history:unfollow', (request, ack) => {
        const reply = acknowledge(ack);
        const follow = accepted(HistoryFollowSchema, request, reply);
        if (!follow) return;
        if (follow.service === undefined) {
          void socket.leave(ALL_ROOM);
        } else {
          services.delete(follow.service);
          void socket.leave(serviceRoom(follow.service));
        }
        reply?.({ ok: true });
      });
    },
  };
}
