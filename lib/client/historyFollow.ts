import type { LiveSocket } from './socket';

/** What a socket follows: '' for every event, else a service name; the count of holders of each. */
const followsBySocket = new WeakMap<LiveSocket, Map<string, number>>();

const request = (feed: string): { service?: string } => (feed === '' ? {} : { service: feed });

/**
 * Follows committed history on `socket` (`history:follow`): every event when `service` is '', else
 * that service's. Counted per tab, so two timelines of one feed share it and the last to go ends it;
 * followed again after every reconnect (a new connection follows nothing). Returns the release.
 */
export function followHistory(socket: LiveSocket, service: string): () => void {
  let follows = followsBySocket.get(socket);
  if (!follows) {
    const created = new Map<string, number>();
    follows = created;
    followsBySocket.set(socket, created);
    socket.on('connect', () => {
      for (const feed of created.keys()) socket.emit('history:follow', request(feed));
    });
  }
  const held = follows.get(service) ?? 0;
  follows.set(service, held + 1);
  if (held === 0 && socket.connected) socket.emit('history:follow', request(service));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const count = (follows.get(service) ?? 1) - 1;
    if (count > 0) {
      follows.set(service, count);
      return;
    }
    follows.delete(service);
    if (socket.connected) socket.emit('history:unfollow', request(service));
  };
}
