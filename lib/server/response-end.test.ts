import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { whenResponseEnds } from './response-end';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server handing each request to `handle`; resolves with its port. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<number> {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('whenResponseEnds', () => {
  it('tells once each of a kept-alive connection\'s responses is sent, with one listener on the connection for them all', async () => {
    const ended: string[] = [];
    const listeners: number[] = [];
    const port = await serve((request, response) => {
      whenResponseEnds(request, response, () => ended.push(request.url ?? ''));
      listeners.push(request.socket.listenerCount('close'));
      response.end('ok');
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const path of ['/1', '/2', '/3']) {
      const response = await new Promise<IncomingMessage>((resolve) => http.get({ port, path, agent }, resolve));
      response.resume();
      await once(response, 'end');
    }
    agent.destroy();
    expect(ended).toEqual(['/1', '/2', '/3']);
    expect(new Set(listeners).size).toBe(1);
  });

  it('tells of every request pipelined on a connection that drops, though their responses emit neither "finish" nor "close"', async () => {
    const ended: string[] = [];
    const reached: IncomingMessage[] = [];
    let allReached = (): void => undefined;
    const threeReached = new Promise<void>((resolve) => (allReached = resolve));
    // Never answered: the two behind the first wait in Node's queue for the connection.
    const port = await serve((request, response) => {
      whenResponseEnds(request, response, () => ended.push(request.url ?? ''));
      if (reached.push(request) === 3) allReached();
    });
    const client = net.connect(port, '127.0.0.1');
    client.write(['/1', '/2', '/3'].map((path) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    await threeReached;
    const closed = once(reached[0]?.socket ?? client, 'close');
    client.destroy();
    await closed;
    expect(ended.sort()).toEqual(['/1', '/2', '/3']);
  });

  it('tells at once of a response whose client has already gone (while the caller awaited something)', async () => {
    let ended = 0;
    let reached = (): void => undefined;
    const requestReached = new Promise<void>((resolve) => (reached = resolve));
    let asked = (): void => undefined;
    const askedAfterClose = new Promise<void>((resolve) => (asked = resolve));
    const port = await serve((request, response) => {
      void once(request.socket, 'close').then(() => {
        whenResponseEnds(request, response, () => (ended += 1));
        asked();
      });
      reached();
    });
    const client = net.connect(port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await requestReached;
    client.destroy();
    await askedAfterClose;
    expect(ended).toBe(1);
  });
});
