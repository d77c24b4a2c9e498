import type { Socket } from 'socket.io';
import type { HistoryEvent } from '@/lib/model/events';
import { isFailureListRow } from '@/lib/model/history-query';
import { HistoryFollowSchema, type ClientToServerEvents, type HistoryFollow, type ServerToClientEvents } from '@/lib/model/live';
import type { LiveServer } from './live';
import { MAX_SERVICE_VIEWS_PER_SOCKET, VIEW_REQUESTS_PER_SECOND } from './live-views';
import { acknowledge, createRequestGuard } from './socket-rate-limit';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Every committed event. */
const ALL_ROOM = 'history';
const serviceRoom = (service: string): string => `history:service:${service}`;
const serviceFailuresRoom = (service: string): string => `history:failures:${service}`;
const roomOf = (follow: HistoryFollow): string => (follow.service === undefined ? ALL_ROOM : follow.failures ? serviceFailuresRoom(follow.service) : serviceRoom(follow.service));

/** Per-socket history feeds: the whole log or one service's events, every kind or failures only. */
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
      // Each room gets what it follows, except what a broader room a socket is also in already sent it.
      const send = (room: string, list: HistoryEvent[], broader: string[]): void => {
        if (list.length > 0 && rooms.has(room)) io.to(room).except(broader).emit('history:events', list);
      };
      send(ALL_ROOM, [...events], []);
      for (const [service, list] of byService(events)) {
        send(serviceRoom(service), list, [ALL_ROOM]);
        if (rooms.has(serviceFailuresRoom(service))) send(serviceFailuresRoom(service), list.filter(isFailureListRow), [ALL_ROOM, serviceRoom(service)]);
      }
    },
    onConnection(socket, followsEverything) {
      if (followsEverything) void socket.join(ALL_ROOM);
      const accepted = createRequestGuard(VIEW_REQUESTS_PER_SECOND, now);
      /** The service feeds' rooms this socket follows. */
      const serviceFeeds = new Set<string>();
      socket.on('history:follow', (request, ack) => {
        const reply = acknowledge(ack);
        const follow = accepted(HistoryFollowSchema, request, reply);
        if (!follow) return;
        const room = roomOf(follow);
        if (follow.service !== undefined && !serviceFeeds.has(room) && serviceFeeds.size >= MAX_SERVICE_VIEWS_PER_SOCKET) {
          return reply?.({ ok: false, error: `at most ${MAX_SERVICE_VIEWS_PER_SOCKET} service feeds per connection` });
        }
        if (follow.service !== undefined) serviceFeeds.add(room);
        void socket.join(room);
        reply?.({ ok: true });
      });
      socket.on('history:unfollow', (request, ack) => {
        const reply = acknowledge(ack);
        const follow = accepted(HistoryFollowSchema, request, reply);
        if (!follow) return;
        const room = roomOf(follow);
        serviceFeeds.delete(room);
        void socket.leave(room);
        reply?.({ ok: true });
      });
    },
  };
}

function byService(events: readonly HistoryEvent[]): Map<string, HistoryEvent[]> {
  const grouped = new Map<string, HistoryEvent[]>();
  for (const event of events) {
    if (event.service === undefined) continue;
    const list = grouped.get(event.service);
    if (list) list.push(event);
    else grouped.set(event.service, [event]);
  }
  return grouped;
}
