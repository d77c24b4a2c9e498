import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

/**
 * PostgreSQL stopped under a running server: what it verified in the last minute keeps reading the
 * console; everything else that needs the database is told 503 with `Retry-After`, never 500; and
 * once PostgreSQL is back everything works again without a restart of the server.
 */
let etcd: TestEtcd;
let postgres: TestPostgres;
let server: TestServer;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  await etcd.put('/services/pay/pay-1', JSON.stringify({ address: '127.0.0.1:9' }));
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { DATABASE_URL: await postgres.createDatabase() } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await postgres?.stop();
  await etcd?.stop();
});

const UNKNOWN_COOKIE = `switchyard_session=${'x'.repeat(43)}`;
const UNKNOWN_TOKEN = `Bearer syd_${'x'.repeat(43)}`;
const page = (path: string, cookie: string, redirect: RequestRedirect = 'follow'): Promise<Response> => server.fetch(path, { headers: { cookie, accept: 'text/html' }, redirect });
const services = (headers: Record<string, string>): Promise<Response> => server.fetch('/api/v1/services', { headers });
const signIn = (): Promise<Response> =>
  fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
/** The socket's connect_error message and data, or 'connected'. */
const connect = (cookie: string): Promise<{ message: string; data?: unknown }> =>
  new Promise((resolve) => {
    const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: server.url } });
    socket.on('connect', () => {
      socket.close();
      resolve({ message: 'connected' });
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      resolve({ message: error.message, data: error.data });
    });
  });
async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe('5');
  expect(await response.json()).toEqual({ error: { code: 'database_unavailable', message: 'the console’s database is unreachable; retry shortly' } });
}

describe('PostgreSQL down under a running server', () => {
  it('keeps recently verified sign-ins reading, answers the rest 503 with Retry-After, and recovers by itself', async () => {
    const session = await server.userSession('viewer-1', 'viewer');
    const admin = await server.login('admin', ADMIN_PASSWORD);
    const token = `Bearer ${await server.createToken({ name: 'pipeline', role: 'viewer' })}`;
    const unused = `Bearer ${await server.createToken({ name: 'unused', role: 'viewer' })}`;
    expect((await services({ cookie: session })).status).toBe(200);
    expect((await services({ authorization: token })).status).toBe(200);
    expect((await page('/services', session)).status).toBe(200);

    await postgres.restart(async () => {
      // The outage's first page request finds out inside Next and is sent to its own URL, where it is answered 503.
      const first = await page('/services?x=1', UNKNOWN_COOKIE, 'manual');
      expect([first.status, first.headers.get('location')]).toEqual([307, '/services?x=1']);
      const unavailablePage = await page('/services?x=1', UNKNOWN_COOKIE);
      expect(unavailablePage.status).toBe(503);
      expect(unavailablePage.headers.get('retry-after')).toBe('5');
      expect(await unavailablePage.text()).toContain('Switchyard’s database is unreachable');

      // Verified under a minute ago: read on.
      expect((await services({ cookie: session })).status).toBe(200);
      expect((await services({ authorization: token })).status).toBe(200);
      expect((await page('/services', session)).status).toBe(200);
      expect((await connect(session)).message).toBe('connected');
      // The admin's Access page: the account, and why the users and tokens are missing.
      const access = await page('/access', admin);
      expect(access.status).toBe(200);
      expect(await access.text()).toContain('which is unreachable right now');

      // Not verified lately, or unknown: the database must say, and cannot.
      await expectUnavailable(await services({ authorization: unused }));
      await expectUnavailable(await services({ authorization: UNKNOWN_TOKEN }));
      await expectUnavailable(await services({ cookie: UNKNOWN_COOKIE }));
      await expectUnavailable(await signIn());
      // Reads that need the database itself, with credentials that still work.
      await expectUnavailable(await server.fetch('/api/v1/events', { headers: { authorization: token } }));
      const ingest = await server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { authorization: UNKNOWN_TOKEN, 'content-type': 'application/json' }, body: '{}' });
      await expectUnavailable(ingest);
      expect(await connect(UNKNOWN_COOKIE)).toEqual({ message: 'database_unavailable', data: { message: 'the console’s database is unreachable; retry shortly', retryAfterSeconds: 5 } });
    });

    // Back, with no restart of the server: the database answers for everything again.
    expect((await services({ authorization: unused })).status).toBe(200);
    expect((await services({ authorization: UNKNOWN_TOKEN })).status).toBe(401);
    expect((await signIn()).status).toBe(200);
    expect((await page('/services', session)).status).toBe(200);
    expect((await page('/services', UNKNOWN_COOKIE)).url).toContain('/login');
    expect((await connect(UNKNOWN_COOKIE)).message).toBe('unauthenticated');
    expect((await server.fetch('/api/v1/events', { headers: { authorization: token } })).status).toBe(200);
    const output = server.output();
    expect(output.match(/database unreachable \(/g)).toHaveLength(1);
    expect(output).toMatch(/database reachable again after \d+ s/);
    expect(output).not.toMatch(/internal error|unhandledRejection|uncaught/i);
  }, 90_000);
});
