import type { HistoryFollow } from '@/lib/model/live';
import type { LiveSocket } from './socket';

/** What a socket follows, one entry per feed (its request as JSON), with the count of its holders. */
const followsBySocket = new WeakMap<LiveSocket, Map<string, number>>();

/**
 * Follows committed history on `socket` (`history:follow`): every service's events when `service`
 * is '', else that service's, only its failures when `failures`. Counted per tab, so two holders of one
 * feed share it and the last to go ends it; followed again after every reconnect (a new connection
 * follows nothing). Returns the release.
 */
export function followHistory(socket: LiveSocket, service: string, failures = false): () => void {
  let follows = followsBySocket.get(socket);
  if (!follows) {
    const created = new Map<string, number>();
    follows = created;
    followsBySocket.set(socket, created);
    socket.on('connect', () => {
      for (const feed of created.keys()) socket.emit('history:follow', JSON.parse(feed) as HistoryFollow);
    });
  }
  const request: HistoryFollow = service === '' ? {} : failures ? { service, failures: true } : { service };
  const feed = JSON.stringify(request);
  const held = follows.get(feed) ?? 0;
  follows.set(feed, held + 1);
  if (held === 0 && socket.connected) socket.emit('history:follow', request);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const count = (follows.get(feed) ?? 1) - 1;
    if (count > 0) {
      follows.set(feed, count);
      return;
    }
    follows.delete(feed);
    if (socket.connected) socket.emit('history:unfollow', request);
  };
}
