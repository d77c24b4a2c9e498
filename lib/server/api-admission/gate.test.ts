import { EventEmitter, once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { admitApiRequest, apiClientOf, createApiGate } from './gate';

const request = (headers: IncomingMessage['headers'], remoteAddress = '10.0.0.7'): IncomingMessage => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('apiClientOf', () => {
  it('counts a request by its credential wherever it comes from, and keeps no secret', () => {
    const token = apiClientOf(request({ authorization: 'Bearer secret-token' }, '10.0.0.1'), false);
    expect(apiClientOf(request({ authorization: 'Bearer secret-token' }, '10.0.0.2'), false)).toBe(token);
    expect(apiClientOf(request({ authorization: 'Bearer other-token' }, '10.0.0.1'), false)).not.toBe(token);
    expect(token).not.toContain('secret-token');
  });

  it('reads the session cookie by the name this server sets', () => {
    const session = apiClientOf(request({ cookie: 'switchyard_session=s3cret' }), false);
    expect(session).toMatch(/^credential:/);
    expect(apiClientOf(request({ cookie: 'switchyard_session=s3cret' }), true)).toMatch(/^address:/);
    expect(apiClientOf(request({ cookie: '__Host-switchyard_session=s3cret' }), true)).toBe(session);
  });

  it('counts a request without credentials by its address, an IPv6 /64 as one', () => {
    expect(apiClientOf(request({}, '::ffff:10.0.0.7'), false)).toBe(apiClientOf(request({}, '10.0.0.7'), false));
    expect(apiClientOf(request({}, '2001:db8:1:2::a'), false)).toBe(apiClientOf(request({}, '2001:db8:1:2::b'), false));
    expect(apiClientOf(request({}, '2001:db8:1:3::a'), false)).not.toBe(apiClientOf(request({}, '2001:db8:1:2::a'), false));
  });
});

/** A request to the API as admitApiRequest sees it, from one token, and its response. */
function apiExchange(): { request: IncomingMessage; response: ServerResponse } {
  const socket = Object.assign(new EventEmitter(), { destroyed: false, remoteAddress: '10.0.0.7' });
  const request = { url: '/api/v1/alerts', headers: { authorization: 'Bearer t' }, socket } as unknown as IncomingMessage;
  return { request, response: Object.assign(new EventEmitter(), { destroyed: false }) as unknown as ServerResponse };
}

describe('admitApiRequest', () => {
  it('does not hand Next a request whose client left after it was admitted, before its turn came', async () => {
    const gate = createApiGate({ clientInFlight: 4, clientWaiting: 4, totalInFlight: 4, totalWaiting: 4 });
    const proceeded: string[] = [];
    const gone = apiExchange();
    admitApiRequest(gate, gone.request, gone.response, false, () => proceeded.push('gone'));
    Object.assign(gone.response, { destroyed: true }).emit('close');
    // The same client's next request starts after it, on a later turn.
    const after = apiExchange();
    await new Promise<void>((resolve) => admitApiRequest(gate, after.request, after.response, false, resolve));
    expect(proceeded).toEqual([]);
  });

  it('bounds a request by the path Next routes it to: dot segments, plain or escaped, do not take it past the places', async () => {
    const gate = createApiGate({ clientInFlight: 1, clientWaiting: 0, totalInFlight: 1, totalWaiting: 0 });
    let held = (): void => undefined;
    const firstHeld = new Promise<void>((resolve) => (held = resolve));
    // The first request is never answered and holds the client's one place; any other admitted is answered 200.
    const server = http.createServer((request, response) => admitApiRequest(gate, request, response, false, () => (request.url === '/api/v1/alerts' ? held() : response.end())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const get = (path: string) => http.get({ port, path, agent: false, headers: { authorization: 'Bearer t' } });
      get('/api/v1/alerts').on('error', () => undefined);
      await firstHeld;
      const statuses = await Promise.all(
        ['/./api/v1/alerts', '/%2e/api/v1/alerts', '/x/../api/v1/alerts', '/x/%2E%2e/api/v1/alerts'].map(
          (path) => new Promise<number | undefined>((resolve) => get(path).on('response', (response) => (response.resume(), resolve(response.statusCode)))),
        ),
      );
      expect(statuses).toEqual([429, 429, 429, 429]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('frees the places of requests pipelined on a connection that drops, which get neither "finish" nor "close"', async () => {
    const gate = createApiGate({ clientInFlight: 1, clientWaiting: 4, totalInFlight: 1, totalWaiting: 4 });
    const reached: IncomingMessage[] = [];
    let allReached = (): void => undefined;
    const threeReached = new Promise<void>((resolve) => (allReached = resolve));
    // Never answered: the first request holds the place, the two behind it wait for one.
    const server = http.createServer((request, response) => {
      admitApiRequest(gate, request, response, false, () => undefined);
      if (reached.push(request) === 3) allReached();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = net.connect(port, '127.0.0.1');
      client.write('GET /api/v1/alerts HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
      await threeReached;
      expect(gate.admission.stats()).toEqual({ inFlight: 1, waiting: 2, clients: 1, refused: { client: 0, total: 0 } });
      const serverSide = reached[0]?.socket;
      if (!serverSide) throw new Error('the server saw the connection');
      const closed = once(serverSide, 'close');
      client.destroy();
      await closed;
      expect(gate.admission.stats()).toEqual({ inFlight: 0, waiting: 0, clients: 0, refused: { client: 0, total: 0 } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
