import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { firstSummary } from '../support/live-views';
import { ADMIN_PASSWORD, eventually, passwordOf, startServer, type TestServer } from '../support/server';
import { perAttempt } from '../support/names';

let etcd: TestEtcd;
let server: TestServer;
let viewer: string;
let operator: string;
let admin: string;

const SERVICE = 'pay';
const drainPath = (id: string): string => `/api/v1/services/${SERVICE}/instances/${id}/drain`;
/** A same-origin browser request as our own pages send it: the session cookie and our Origin. */
const asBrowser = (cookie: string): Record<string, string> => ({ cookie, origin: server.url, 'content-type': 'application/json' });
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const noCredentials = (path: string, init: RequestInit = {}): Promise<Response> => globalThis.fetch(`${server.url}${path}`, init);

/** Every state-changing endpoint, with a body that would succeed for an admin. */
const WRITES: { name: string; method: 'POST' | 'DELETE' | 'PATCH'; path: string; body?: unknown; need: 'operator' | 'admin' }[] = [
  { name: 'drain', method: 'POST', path: drainPath('p-1'), body: { reason: 'role matrix', force: true }, need: 'operator' },
  { name: 'undrain', method: 'DELETE', path: drainPath('p-1'), need: 'operator' },
  { name: 'bulk drain', method: 'POST', path: `/api/v1/services/${SERVICE}/drain`, body: { reason: 'role matrix', zone: 'nowhere' }, need: 'operator' },
  { name: 'create user', method: 'POST', path: '/api/v1/users', body: { name: 'matrix-user', role: 'viewer', password: 'matrix-password-1' }, need: 'admin' },
  { name: 'change user', method: 'PATCH', path: '/api/v1/users/matrix-user', body: { role: 'operator' }, need: 'admin' },
  { name: 'end user sessions', method: 'DELETE', path: '/api/v1/users/matrix-user/sessions', need: 'admin' },
  { name: 'delete user', method: 'DELETE', path: '/api/v1/users/matrix-user', need: 'admin' },
  { name: 'create token', method: 'POST', path: '/api/v1/tokens', body: { name: 'matrix-token', role: 'viewer' }, need: 'admin' },
];

const [DRAIN, UNDRAIN] = WRITES as [(typeof WRITES)[number], (typeof WRITES)[number]];
const call = (write: (typeof WRITES)[number], headers: Record<string, string>): Promise<Response> =>
  noCredentials(write.path, { method: write.method, headers, ...(write.body === undefined ? {} : { body: JSON.stringify(write.body) }) });

beforeAll(async () => {
  etcd = await startEtcd();
  for (const id of ['p-1', 'p-2']) await etcd.put(`/services/${SERVICE}/${id}`, JSON.stringify({ address: `127.0.0.1:${20_000 + Number(id.slice(2))}` }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  viewer = await server.userSession('vera', 'viewer');
  operator = await server.userSession('otto', 'operator');
  admin = await server.login('admin', ADMIN_PASSWORD);
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

describe('every door checks who is asking', () => {
  it.each([
    ['/api/v1/services'],
    ['/api/v1/services/pay'],
    ['/api/v1/topology'],
    ['/api/v1/events'],
    ['/api/v1/events/export?format=csv'],
    ['/api/v1/incidents'],
    ['/api/v1/diagnostics'],
    ['/api/v1/services/pay/latency'],
    ['/api/v1/auth/me'],
    ['/api/v1/users'],
    ['/api/v1/tokens'],
    ['/metrics'],
  ])('GET %s without credentials is 401 in the contract shape', async (path) => {
    const response = await noCredentials(path);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('keeps liveness and readiness open for probes', async () => {
    expect((await noCredentials('/healthz')).status).toBe(200);
    expect((await noCredentials('/readyz')).status).toBe(200);
  });

  it('sends a browser without a session to the login page, with the way back', async () => {
    const response = await noCredentials('/services/pay?window=1h', { redirect: 'manual' });
    expect([303, 307, 308]).toContain(response.status);
    expect(response.headers.get('location')).toMatch(/\/login\?next=%2Fservices%2Fpay%3Fwindow%3D1h$/);
    const page = await (await noCredentials('/')).text();
    expect(page).not.toContain('byStatus');
    expect(page).not.toContain('p-1');
  });

  it('ignores the x-middleware-subrequest trick (CVE-2025-29927)', async () => {
    const trick = { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' };
    expect((await noCredentials('/api/v1/services', { headers: trick })).status).toBe(401);
    expect((await noCredentials(drainPath('p-1'), { method: 'POST', headers: { ...trick, 'content-type': 'application/json' }, body: '{"reason":"x"}' })).status).toBe(401);
    const page = await noCredentials('/services', { headers: trick, redirect: 'manual' });
    expect(page.headers.get('location')).toContain('/login');
  });

  it('serves the security headers, with a per-response script nonce', async () => {
    const first = await noCredentials('/login');
    const second = await noCredentials('/login');
    const policy = first.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'nonce-[\w+/=]+'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toBe(second.headers.get('content-security-policy'));
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1] ?? '';
    const html = await first.text();
    expect(html).toContain(`nonce="${nonce}"`);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('referrer-policy')).toBe('same-origin');
    expect(first.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('roles × state-changing endpoints', () => {
  it.each(WRITES.map((write) => [write.name, write] as const))('%s: 401 without a session, 403 for a viewer', async (_name, write) => {
    expect((await call(write, { 'content-type': 'application/json' })).status).toBe(401);
    const refused = await call(write, asBrowser(viewer));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('lets an operator drain and undrain but not manage users; an admin does both', async () => {
    // Past the door, a request may still fail on its merits (the bulk drain names an empty zone: 404).
    const admitted = (status: number): boolean => status !== 401 && status !== 403 && status < 500;
    for (const write of WRITES) {
      const status = (await call(write, asBrowser(operator))).status;
      if (write.need === 'operator') expect(admitted(status), `${write.name}: ${status}`).toBe(true);
      else expect(status, write.name).toBe(403);
    }
    for (const write of WRITES) {
      const status = (await call(write, asBrowser(admin))).status;
      expect(admitted(status), `${write.name}: ${status}`).toBe(true);
      if (write.name !== 'bulk drain') expect(status, write.name).toBeLessThan(300);
    }
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual([]);
  });

  it('records the signed-in user as the actor', async () => {
    expect((await call(DRAIN, asBrowser(operator))).status).toBe(200);
    expect(JSON.parse((await etcd.client.get('/switchyard/drain/pay/p-1').string()) ?? '{}')).toMatchObject({ by: 'otto' });
    expect((await call(UNDRAIN, asBrowser(operator))).status).toBe(200);
  });
});

describe('cross-site requests', () => {
  it('refuses a cookie-carried POST from another origin, or without any origin evidence', async () => {
    const write = DRAIN;
    const evil = await call(write, { ...asBrowser(operator), origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(evil.status).toBe(403);
    expect(await evil.json()).toMatchObject({ error: { code: 'cross_origin' } });
    const bare = await call(write, { cookie: operator, 'content-type': 'application/json' });
    expect(bare.status).toBe(403);
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual([]);
  });

  it('refuses a login posted from another site', async () => {
    const response = await noCredentials('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a cross-origin WebSocket even with a valid cookie, and a socket without credentials', async () => {
    const connectError = (extraHeaders: Record<string, string>): Promise<string> =>
      new Promise((resolve) => {
        const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders });
        socket.on('connect', () => {
          socket.close();
          resolve('connected');
        });
        socket.on('connect_error', (error) => {
          socket.close();
          resolve(error.message);
        });
      });
    expect(await connectError({ cookie: viewer, origin: 'http://evil.example' })).not.toBe('connected');
    expect(await connectError({})).toBe('unauthenticated');
    expect(await connectError({ cookie: viewer, origin: server.url })).toBe('connected');
  });
});

describe('tokens', () => {
  it('limits a scoped token to its service, and stops a revoked token at once', async () => {
    const scoped = await server.createToken({ name: 'pay-pipeline', role: 'operator', service: SERVICE });
    const other = await noCredentials('/api/v1/services/other/instances/o-1/drain', { method: 'POST', headers: bearer(scoped), body: '{"reason":"x"}' });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: { code: 'out_of_scope' } });
    const own = await noCredentials(drainPath('p-2'), { method: 'POST', headers: bearer(scoped), body: '{"reason":"deploy","force":true}' });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { drain: { by: string } }).drain.by).toBe('token:pay-pipeline');
    expect((await noCredentials(drainPath('p-2'), { method: 'DELETE', headers: bearer(scoped) })).status).toBe(200);

    const list = (await (await server.fetch('/api/v1/tokens')).json()) as { tokens: { id: string; name: string; lastUsedAt: string | null }[] };
    const record = list.tokens.find((token) => token.name === 'pay-pipeline');
    expect(record?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list)).not.toContain(scoped);
    expect((await server.fetch(`/api/v1/tokens/${record?.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await noCredentials('/api/v1/services', { headers: bearer(scoped) })).status).toBe(401);
  });

  it('refuses an admin token scoped to a service: a scope could not limit what only an admin does', async () => {
    const response = await server.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'pay-admin', role: 'admin', service: SERVICE }) });
    expect(response.status).toBe(422);
    expect(JSON.stringify(await response.json())).toContain('an admin token cannot be scoped');
  });

  it('refuses ingest without a token, and a scoped token reporting for another service', async () => {
    const batch = (service: string) => JSON.stringify({ reporter: { service, instance: `${service}-1` }, intervalStart: new Date().toISOString(), intervalSeconds: 1, calls: [] });
    expect((await noCredentials('/api/v1/ingest/calls', { method: 'POST', body: batch('gw') })).status).toBe(401);
    expect((await noCredentials('/api/v1/ingest/calls', { method: 'POST', headers: { cookie: admin }, body: batch('gw') })).status).toBe(401);
    const scoped = await server.createToken({ name: 'gw-reporter', role: 'viewer', service: 'gw' });
    expect((await noCredentials('/api/v1/ingest/calls', { method: 'POST', headers: bearer(scoped), body: batch('gw') })).status).toBe(202);
    expect((await noCredentials('/api/v1/ingest/calls', { method: 'POST', headers: bearer(scoped), body: batch('orders') })).status).toBe(403);
  });
});

describe('sessions', () => {
  it('ends after the idle time', async () => {
    // Its own server: a 3 s idle time on the shared one ended the other tests' sessions on a busy machine.
    const idle = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_SESSION_IDLE_SECONDS: '3' } });
    try {
      const session = await idle.userSession('idle-ida', 'viewer');
      const me = (): Promise<Response> => idle.fetch('/api/v1/auth/me', { headers: { cookie: session } });
      expect((await me()).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      expect((await me()).status).toBe(401);
    } finally {
      await idle.stop();
    }
  });

  it('signs out everywhere: every session of the user ends and their live socket closes', async () => {
    // A user of its own: signing vera out everywhere ended the session the other tests act as a viewer with.
    const user = perAttempt('sally');
    await server.userSession(user, 'viewer');
    const first = await server.login(user, passwordOf(user));
    const second = await server.login(user, passwordOf(user));
    const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: second, origin: server.url } });
    await firstSummary(socket);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const out = await noCredentials('/api/v1/auth/logout?everywhere=1', { method: 'POST', headers: asBrowser(first) });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect(await closed).toBe('io server disconnect');
    expect((await noCredentials('/api/v1/auth/me', { headers: { cookie: second } })).status).toBe(401);
  });

  it('sets an HttpOnly, SameSite cookie and audits sign-ins and failures', async () => {
    const response = await noCredentials('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'otto', password: passwordOf('otto') }) });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    await noCredentials('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'otto', password: 'Tr0ub4dor-guess' }) });
    const events = await eventually(async () => {
      const page = (await (await server.fetch('/api/v1/events?kind=auth.login,auth.login_failed')).json()) as { events: { kind: string; actor?: string; detail: string }[] };
      return page.events.some((event) => event.kind === 'auth.login_failed' && event.actor === 'otto') ? page.events : undefined;
    }, 5_000, 'audit events');
    expect(events.some((event) => event.kind === 'auth.login' && event.actor === 'otto')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('Tr0ub4dor');
  });

  it('locks an account after 5 failures in a row, even for the right password, and says for how long', async () => {
    // A user of its own per attempt: a retry's would already be locked, with another password.
    const lola = perAttempt('lola');
    await server.userSession(lola, 'viewer');
    const attempt = (password: string) =>
      noCredentials('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: lola, password }) });
    for (let i = 0; i < 5; i += 1) expect((await attempt(`wrong-${i}`)).status).toBe(401);
    const locked = await attempt(passwordOf(lola));
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(await locked.json()).toMatchObject({ error: { code: 'locked' } });
    expect((await server.fetch(`/api/v1/users/${lola}`, { method: 'PATCH', body: JSON.stringify({ password: 'lola-new-password-1' }), headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect((await attempt('lola-new-password-1')).status).toBe(200);
  });

  it('keeps the last admin', async () => {
    const response = await server.fetch('/api/v1/users/admin', { method: 'PATCH', body: JSON.stringify({ role: 'viewer' }), headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: 'last_admin' } });
  });
});
