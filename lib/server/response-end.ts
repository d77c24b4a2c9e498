import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Per connection, the requests waiting for their response to end: one 'close' listener per connection, however many it pipelines. */
const waitingOn = new WeakMap<Socket, Set<() => void>>();

/**
 * Calls `done` once, when the response is sent or never will be: finished, closed, or its
 * connection gone. Node emits neither 'finish' nor 'close' for a response queued behind another
 * on a pipelined connection that drops, so listening on the response alone held whatever `done`
 * frees for good; and a response already closed (its client gone while the caller awaited
 * something) emits nothing more, so that case is answered at once.
 */
export function whenResponseEnds(request: IncomingMessage, response: ServerResponse, done: () => void): void {
  const { socket } = request;
  if (response.writableFinished || response.destroyed || socket.destroyed) return done();
  let waiting = waitingOn.get(socket);
  if (!waiting) {
    const ofSocket = new Set<() => void>();
    waiting = ofSocket;
    waitingOn.set(socket, ofSocket);
    socket.once('close', () => {
      waitingOn.delete(socket);
      for (const end of ofSocket) end();
    });
  }
  const ofSocket = waiting;
  const end = (): void => {
    if (!ofSocket.delete(end)) return;
    response.off('finish', end);
    response.off('close', end);
    done();
  };
  ofSocket.add(end);
  response.once('finish', end);
  response.once('close', end);
}
