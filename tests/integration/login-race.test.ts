import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';
import { ADMIN_PASSWORD, eventually, passwordOf, startServer, type TestServer } from '../support/server';

/**
 * Sign-in bursts against the real server. Each test signs in from its own loopback address
 * (127.0.0.0/8 is all ours), so the per-address limit one test trips does not touch the others,
 * and as users of its own: a new address and new names per attempt, so a retry meets neither the
 * address pause nor the account lock its failed first attempt left.
 */
let etcd: TestEtcd;
let server: TestServer;
const agents: Agent[] = [];

type Attempt = { status: number; code: string | undefined };

/** A loopback address of its own per attempt, outside 127.0.0.0/24. */
const addressPerAttempt = (): string => `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;

/** `POST /api/v1/auth/login` from `localAddress`. */
function signInFrom(localAddress: string): (username: string, password: string) => Promise<Attempt> {
  const agent = new Agent({ localAddress });
  agents.push(agent);
  return async (username, password) => {
    const response = await globalThis.fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      dispatcher: agent,
    } as RequestInit);
    const body = (await response.json()) as { error?: { code?: string } };
    return { status: response.status, code: body.error?.code };
  };
}

type AuditEvent = { id: number; kind: string; actor?: string; detail: string };

/** The sign-in audit of one user, in the order the server decided the attempts. */
async function auditOf(user: string, expected: number): Promise<AuditEvent[]> {
  return eventually(async () => {
    const page = (await (await server.fetch('/api/v1/events?kind=auth.login,auth.login_failed&limit=5000')).json()) as { events: AuditEvent[] };
    const own = page.events.filter((event) => event.actor === user).sort((a, b) => a.id - b.id);
    return own.length >= expected ? own : undefined;
  }, 10_000, `${expected} audit events of ${user}`);
}

const count = (attempts: Attempt[], status: number, code?: string): number =>
  attempts.filter((attempt) => attempt.status === status && (code === undefined || attempt.code === code)).length;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await server?.stop();
  await etcd?.stop();
});

describe('parallel sign-in bursts', () => {
  it('checks no password after the fifth failure in a row: 100 wrong and the right one at once', async () => {
    const bea = perAttempt('burst-bea');
    await server.userSession(bea, 'viewer');
    const signIn = signInFrom(addressPerAttempt());
    const burst = await Promise.all([...Array.from({ length: 100 }, (_, i) => signIn(bea, `wrong-password-${i}`)), signIn(bea, passwordOf(bea))]);

    // The per-address limit held under concurrency: at most 20 passwords checked and failed.
    expect(count(burst, 401)).toBeLessThanOrEqual(20);
    expect(count(burst, 401) + count(burst, 200) + count(burst, 429)).toBe(101);

    // In the order the server decided them: after five wrong passwords in a row, nothing is
    // checked any more (the lock holds) and nothing succeeds.
    const audited = count(burst, 401) + count(burst, 200) + count(burst, 429, 'locked');
    let inARow = 0;
    for (const event of await auditOf(bea, audited)) {
      const checkedWrong = event.kind === 'auth.login_failed' && event.detail.endsWith('wrong password');
      if (inARow >= 5) expect(checkedWrong || event.kind === 'auth.login', `after ${inARow} failures: ${event.detail}`).toBe(false);
      if (checkedWrong) inARow += 1;
      else if (event.kind === 'auth.login') inARow = 0;
    }
  });

  it('checks at most twenty passwords from one address when many accounts are tried at once', async () => {
    const signIn = signInFrom(addressPerAttempt());
    const spray = await Promise.all(Array.from({ length: 60 }, (_, i) => signIn(`sprayed-${i}`, 'wrong-password-1')));
    expect(count(spray, 401)).toBeLessThanOrEqual(20);
    expect(count(spray, 429, 'rate_limited')).toBeGreaterThanOrEqual(40);
    // The pause holds for the right password of a real account, and only for this address.
    expect(await signIn('admin', ADMIN_PASSWORD)).toEqual({ status: 429, code: 'rate_limited' });
    expect((await signInFrom(addressPerAttempt())('admin', ADMIN_PASSWORD)).status).toBe(200);
  });
});

describe('the way out of a lockout', () => {
  it('lets an admin with an API token see and clear an address pause, audited', async () => {
    const address = addressPerAttempt();
    const signIn = signInFrom(address);
    await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(`nobody-${i}`, 'wrong-password-1')));
    expect(await signIn('admin', ADMIN_PASSWORD)).toEqual({ status: 429, code: 'rate_limited' });

    const listed = (await (await server.fetch('/api/v1/auth/lockouts')).json()) as { addresses: { address: string; retryAfterSeconds: number }[] };
    expect(listed.addresses.find((entry) => entry.address === address)?.retryAfterSeconds).toBeGreaterThan(500);
    const cleared = await server.fetch(`/api/v1/auth/lockouts?address=${address}`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ addresses: 1, users: 0 });
    expect((await signIn('admin', ADMIN_PASSWORD)).status).toBe(200);

    const audit = (await (await server.fetch('/api/v1/events?kind=auth.user_changed')).json()) as { events: AuditEvent[] };
    expect(audit.events.some((event) => event.actor === 'token:test-admin' && event.detail.includes(`address ${address}`))).toBe(true);
  });

  it('lets an admin unlock a locked account before its 15 minutes are up; nobody else may', async () => {
    const lou = perAttempt('lockout-lou');
    const viewer = await server.userSession(lou, 'viewer');
    const signIn = signInFrom(addressPerAttempt());
    for (let i = 0; i < 5; i += 1) expect((await signIn(lou, `wrong-password-${i}`)).status).toBe(401);
    expect(await signIn(lou, passwordOf(lou))).toEqual({ status: 429, code: 'locked' });

    const asViewer = await server.fetch(`/api/v1/auth/lockouts?user=${lou}`, { method: 'DELETE', headers: { cookie: viewer, origin: server.url } });
    expect(asViewer.status).toBe(403);
    const listed = (await (await server.fetch('/api/v1/auth/lockouts')).json()) as { users: { name: string }[] };
    expect(listed.users.map((user) => user.name)).toContain(lou);
    expect(await (await server.fetch(`/api/v1/auth/lockouts?user=${lou}`, { method: 'DELETE' })).json()).toEqual({ addresses: 0, users: 1 });
    expect((await signIn(lou, passwordOf(lou))).status).toBe(200);
  });
});
