import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING_PER_ADDRESS } from '@/lib/server/auth/oidc-pending';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { loginAtProvider, startOidcProvider, testOidcAccounts, testOidcRoleMap, type TestOidcProvider } from '../support/oidc';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { startServer, type TestServer } from '../support/server';

/**
 * Single sign-on across replicas: two servers sharing one PostgreSQL and one etcd, the real
 * OpenID Connect provider. Behind a balancer without stickiness (DEPLOYMENT says none is needed)
 * the provider's callback reaches another replica than the one that began the login; pending
 * logins were kept in that one process's memory, so it failed "that sign-in expired".
 */
let provider: TestOidcProvider;
let etcd: TestEtcd;
let postgres: TestPostgres;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  // The replicas' ports are known only once they start; the fixture accepts any loopback port (RFC 8252).
  [provider, etcd, postgres] = await Promise.all([startOidcProvider({ redirectUris: ['http://127.0.0.1/api/v1/auth/oidc/callback'], anyLoopbackPort: true }), startEtcd(), startPostgres()]);
  const env = {
    DATABASE_URL: await postgres.createDatabase(),
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_ROLE_MAP: testOidcRoleMap,
    OIDC_SCOPES: 'openid profile groups',
  };
  [a, b] = await Promise.all([startServer({ etcdEndpoints: etcd.endpoints, env }), startServer({ etcdEndpoints: etcd.endpoints, env })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([postgres?.stop(), etcd?.stop(), provider?.stop()]);
});

/** The browser's first step: `start` on `server` (from `from`'s address); the provider's URL and the pending login cookie. */
async function start(server: TestServer, next: string, from?: Agent): Promise<Response> {
  return fetch(`${server.url}/api/v1/auth/oidc/start?next=${encodeURIComponent(next)}`, { redirect: 'manual', ...(from ? { dispatcher: from } : {}) } as RequestInit);
}

async function begin(server: TestServer, next: string): Promise<{ providerUrl: URL; cookie: string }> {
  const response = await start(server, next);
  expect(response.status).toBe(303);
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  expect(cookie).toMatch(/^switchyard_oidc=.+/);
  return { providerUrl: new URL(response.headers.get('location') ?? ''), cookie };
}

/** The provider's redirect back, sent to `server` (another replica than the one in the URL, as a balancer may). */
function callback(server: TestServer, callbackUrl: URL, cookie: string): Promise<Response> {
  return fetch(`${server.url}${callbackUrl.pathname}${callbackUrl.search}`, { headers: { cookie }, redirect: 'manual' });
}

async function signedInAs(server: TestServer, response: Response): Promise<string> {
  const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith('switchyard_session='))?.split(';')[0];
  if (!session) throw new Error(`no session: HTTP ${response.status} → ${response.headers.get('location')}`);
  const me = await server.fetch('/api/v1/auth/me', { headers: { cookie: session } });
  expect(me.status).toBe(200);
  return ((await me.json()) as { name: string }).name;
}

describe('single sign-on across replicas', () => {
  it('begins on one replica and completes on the other, once', async () => {
    const { providerUrl, cookie } = await begin(a, '/services?zone=a');
    const callbackUrl = await loginAtProvider(providerUrl, 'alice', testOidcAccounts.alice.password);
    const response = await callback(b, callbackUrl, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/services?zone=a');
    // The session is in the shared database too: the first replica knows it.
    expect(await signedInAs(a, response)).toBe('alice');
    // Used once, wherever it is replayed.
    const replay = await callback(a, callbackUrl, cookie);
    expect(replay.headers.get('location')).toMatch(/^\/login\?error=that\+sign-in\+expired/);
  });

  it('refuses an address past its cap of pending logins, and keeps everyone else’s', async () => {
    const carol = await begin(b, '/');
    // Another loopback address stands for another client: its flood of `start`s hits its own cap.
    const flooder = new Agent({ localAddress: '127.0.0.2' });
    try {
      for (let n = 0; n < MAX_PENDING_PER_ADDRESS; n += 1) expect((await start(n % 2 ? a : b, '/', flooder)).status).toBe(303);
      const refused = await start(a, '/', flooder);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(500);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_pending');
    } finally {
      await flooder.close();
    }
    const callbackUrl = await loginAtProvider(carol.providerUrl, 'carol', testOidcAccounts.carol.password);
    expect(await signedInAs(b, await callback(a, callbackUrl, carol.cookie))).toBe('carol');
  });

  it('keeps a login in flight across a database restart, and answers 503 while the database is down', async () => {
    const { providerUrl, cookie } = await begin(a, '/');
    const callbackUrl = await loginAtProvider(providerUrl, 'alice', testOidcAccounts.alice.password);
    await postgres.restart(async () => {
      const starting = await start(b, '/');
      expect([starting.status, starting.headers.get('retry-after')]).toEqual([503, '5']);
      expect(((await starting.json()) as { error: { code: string } }).error.code).toBe('database_unavailable');
      const back = await callback(b, callbackUrl, cookie);
      expect(back.status).toBe(503);
    });
    // The outage did not spend it: the same callback completes once the database is back.
    expect(await signedInAs(b, await callback(b, callbackUrl, cookie))).toBe('alice');
  });
});
