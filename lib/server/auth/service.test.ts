import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewHistoryEvent } from '@/lib/model/events';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { openHistory, type History } from '../history/store';
import { ADDRESS_LIMIT, createAuth, LOCKOUT, type Auth, type LoginOutcome } from './service';

const CHEAP = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'correct-horse-battery';

let history: History;
let audit: NewHistoryEvent[];
let clock: { ms: number };
let auth: Auth;

const codes = (outcomes: LoginOutcome[]): string[] => outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.code)).sort();
describe.each(STORE_DIALECTS)('auth on %s', (dialect) => {
  const testStore = useTestStore(dialect);
  beforeEach(async () => {
    history = await openHistory(await testStore.fresh());
    audit = [];
    clock = { ms: Date.UTC(2026, 11, 3, 9, 0, 0) };
    auth = createAuth({ db: history.db, audit: (event) => audit.push(event), idleSeconds: 3_600, maxSeconds: 86_400, now: () => clock.ms, passwordCost: CHEAP });
    await auth.users.create({ name: 'bea', role: 'viewer', password: PASSWORD }, 'test');
  });
  afterEach(async () => {
    await history.close();
  });

  describe('password sign-in under a parallel burst', () => {
    it('checks at most five wrong passwords for one account, locks once, and refuses the right one after', async () => {
      // Twenty addresses, one attempt each: only the account lock can stop them.
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => auth.login('bea', `wrong-${i}`, `10.0.0.${i}`)));
      expect(codes(burst).filter((code) => code === 'invalid_credentials')).toHaveLength(LOCKOUT.failures);
      expect(audit.filter((event) => event.kind === 'auth.locked')).toHaveLength(1);
      const after = await auth.login('bea', PASSWORD, '10.0.1.1');
      expect(after).toMatchObject({ ok: false, code: 'locked', retryAfterSeconds: LOCKOUT.lockMs / 1000 });

      clock.ms += LOCKOUT.lockMs;
      expect((await auth.login('bea', PASSWORD, '10.0.1.1')).ok).toBe(true);
    });

    it('lets the right password through only while fewer than five failures came before it', async () => {
      for (let i = 0; i < LOCKOUT.failures - 1; i += 1) expect(await auth.login('bea', `wrong-${i}`, '10.0.0.1')).toMatchObject({ code: 'invalid_credentials' });
      // Arrival order is the order of checks: the right password first, then the fifth failure.
      const [right, wrong] = await Promise.all([auth.login('bea', PASSWORD, '10.0.0.2'), auth.login('bea', 'wrong-last', '10.0.0.3')]);
      expect(right.ok).toBe(true);
      expect(wrong).toMatchObject({ code: 'invalid_credentials' });
      // The success started the count again: one failure in a row, no lock.
      expect((await auth.lockouts.list()).users).toEqual([]);
    });

    it('checks at most twenty passwords from one address at once, across accounts', async () => {
      const spray = await Promise.all(Array.from({ length: 60 }, (_, i) => auth.login(`nobody-${i}`, 'wrong', '10.0.0.9')));
      expect(codes(spray).filter((code) => code === 'invalid_credentials')).toHaveLength(ADDRESS_LIMIT.maxFailures);
      expect(codes(spray).filter((code) => code === 'rate_limited')).toHaveLength(60 - ADDRESS_LIMIT.maxFailures);
    });
  });

  describe('the way out of a lockout', () => {
    it('clears an address pause and an account lock, and audits both', async () => {
      await Promise.all(Array.from({ length: ADDRESS_LIMIT.maxFailures }, (_, i) => auth.login(`nobody-${i}`, 'wrong', '10.0.0.9')));
      for (let i = 0; i < LOCKOUT.failures; i += 1) await auth.login('bea', `wrong-${i}`, '10.0.0.8');
      expect(await auth.login('admin', PASSWORD, '10.0.0.9')).toMatchObject({ code: 'rate_limited' });
      expect(await auth.lockouts.list()).toEqual({
        addresses: [{ address: '10.0.0.9', retryAfterSeconds: ADDRESS_LIMIT.windowMs / 1000 }],
        users: [{ name: 'bea', lockedUntil: new Date(clock.ms + LOCKOUT.lockMs).toISOString() }],
      });

      expect(await auth.lockouts.clear({ address: '10.0.0.9' }, 'token:ops')).toEqual({ addresses: 1, users: 0 });
      expect(await auth.lockouts.clear({ user: 'bea' }, 'token:ops')).toEqual({ addresses: 0, users: 1 });
      expect((await auth.login('bea', PASSWORD, '10.0.0.9')).ok).toBe(true);
      expect(await auth.lockouts.list()).toEqual({ addresses: [], users: [] });
      expect(audit.filter((event) => event.kind === 'auth.user_changed' && event.actor === 'token:ops').map((event) => event.detail)).toEqual([
        'cleared address 10.0.0.9 (1 address(es) were paused, 0 account(s) locked)',
        'cleared user bea (0 address(es) were paused, 1 account(s) locked)',
      ]);
    });

    it('clears everything when nothing is named', async () => {
      for (let i = 0; i < LOCKOUT.failures; i += 1) await auth.login('bea', `wrong-${i}`, `10.0.0.${i}`);
      await Promise.all(Array.from({ length: ADDRESS_LIMIT.maxFailures }, (_, i) => auth.login(`nobody-${i}`, 'wrong', '10.0.0.9')));
      expect(await auth.lockouts.clear({}, 'admin')).toEqual({ addresses: 1, users: 1 });
      expect(await auth.lockouts.list()).toEqual({ addresses: [], users: [] });
    });
  });

  describe('sessions, tokens and users', () => {
    it('creates the first admin once when replicas start together on an empty store', async () => {
      const empty = await openHistory(await testStore.fresh());
      try {
        const replicas = [1, 2, 3].map(() => createAuth({ db: empty.db, audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, passwordCost: CHEAP }));
        const outcomes = await Promise.all(replicas.map((replica) => replica.bootstrap('first-admin-password')));
        expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
        expect((await replicas[0]?.users.list())?.map((user) => user.name)).toEqual(['admin']);
      } finally {
        await empty.close();
      }
    });

    it('creates the first admin once and keeps its sessions until they go idle', async () => {
      expect(await auth.bootstrap('first-admin-password')).toMatchObject({ created: false });
      const login = await auth.login('bea', PASSWORD, '10.0.0.1');
      if (!login.ok) throw new Error(login.message);
      expect(await auth.authenticateSession(login.sessionSecret)).toEqual(login.principal);
      clock.ms += 3_600_001;
      expect(await auth.authenticateSession(login.sessionSecret)).toBeNull();
      const [bea] = await auth.users.list();
      const started = new Date(Date.UTC(2026, 11, 3, 9, 0, 0)).toISOString();
      expect(bea).toMatchObject({ name: 'bea', disabled: false, createdAt: started, lastLoginAt: started });
    });

    it('authenticates a token until it is revoked, with its times as stored', async () => {
      const { secret, token } = await auth.tokens.create({ name: 'ci', role: 'operator', service: 'users', expiresInDays: 1 }, 'admin');
      expect(token.expiresAt).toBe(new Date(clock.ms + 86_400_000).toISOString());
      expect(await auth.authenticateToken(secret)).toEqual({ kind: 'token', name: 'ci', role: 'operator', scope: 'users', credentialId: token.id });
      const revoked = await auth.tokens.revoke(token.id, 'admin');
      expect(revoked).toMatchObject({ ok: true, token: { revokedAt: new Date(clock.ms).toISOString() } });
      expect(await auth.authenticateToken(secret)).toBeNull();
      expect((await auth.tokens.list()).map((listed) => listed.revokedAt)).toEqual([new Date(clock.ms).toISOString()]);
    });

    it('answers a token from its cache alone only while the store has nothing to add', async () => {
      const { secret, token } = await auth.tokens.create({ name: 'ci', role: 'operator', expiresInDays: 1 }, 'admin');
      // Never read yet: only the store can tell.
      expect(auth.cachedToken(secret)).toBeUndefined();
      expect(auth.cachedToken('not-a-token')).toBeNull();
      const principal = await auth.authenticateToken(secret);
      expect(auth.cachedToken(secret)).toEqual(principal);
      // The cache's 10 s are up: the store is read again (a revocation by another replica shows).
      clock.ms += 10_000;
      expect(auth.cachedToken(secret)).toBeUndefined();
      expect(await auth.authenticateToken(secret)).toEqual(principal);
      expect(auth.cachedToken(secret)).toEqual(principal);
      // Past its last-used touch interval, the write is due: the promise path does it.
      clock.ms += 30_001 - 10_000;
      await auth.authenticateToken(secret);
      clock.ms += 30_001;
      expect(auth.cachedToken(secret)).toBeUndefined();
      await auth.tokens.revoke(token.id, 'admin');
      expect(auth.cachedToken(secret)).toBeUndefined();
      expect(await auth.authenticateToken(secret)).toBeNull();
    });

    it('answers an expired token null from its cache', async () => {
      const { secret } = await auth.tokens.create({ name: 'ci', role: 'viewer', expiresInDays: 1 }, 'admin');
      clock.ms += 86_400_000 - 5_000;
      expect(await auth.authenticateToken(secret)).not.toBeNull();
      clock.ms += 5_000;
      expect(auth.cachedToken(secret)).toBeNull();
    });

    it('keeps the last enabled admin, and refuses a disabled user', async () => {
      await auth.users.create({ name: 'ada', role: 'admin', password: PASSWORD }, 'test');
      expect(await auth.users.update('ada', { role: 'viewer' }, 'test')).toMatchObject({ ok: false, code: 'last_admin' });
      expect(await auth.users.update('bea', { disabled: true }, 'test')).toMatchObject({ ok: true, user: { disabled: true } });
      expect(await auth.login('bea', PASSWORD, '10.0.0.1')).toMatchObject({ ok: false, code: 'invalid_credentials' });
      expect(await auth.users.update('bea', { role: 'admin', disabled: false }, 'test')).toMatchObject({ ok: true, user: { role: 'admin', disabled: false } });
      expect(await auth.users.update('ada', { role: 'viewer' }, 'test')).toMatchObject({ ok: true, user: { role: 'viewer' } });
    });

    it('keeps one enabled admin when the last two are demoted, disabled or deleted at the same moment', async () => {
      const other = createAuth({ db: history.db, audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, now: () => clock.ms, passwordCost: CHEAP });
      const attempts: [string, (by: Auth, name: string) => Promise<{ ok: boolean }>][] = [
        ['demoted with a new password', (by, name) => by.users.update(name, { role: 'viewer', password: 'another-password-123' }, 'test')],
        ['disabled', (by, name) => by.users.update(name, { disabled: true }, 'test')],
        ['deleted', (by, name) => by.users.remove(name, 'test')],
      ];
      for (const [what, attempt] of attempts) {
        await auth.users.create({ name: 'ada', role: 'admin', password: PASSWORD }, 'test');
        await auth.users.create({ name: 'cy', role: 'admin', password: PASSWORD }, 'test');
        const outcomes = await Promise.all([attempt(auth, 'ada'), attempt(other, 'cy')]);
        expect(outcomes.filter((outcome) => outcome.ok), what).toHaveLength(1);
        const admins = (await auth.users.list()).filter((user) => user.role === 'admin' && !user.disabled);
        expect(admins, what).toHaveLength(1);
        await history.db.deleteFrom('users').where('name', 'in', ['ada', 'cy']).execute();
      }
    });

    it('creates a single sign-on user on first sign-in beside a local user of the same name', async () => {
      const identity = { issuer: 'https://idp.example.com', subject: '42', name: 'bea', role: 'operator' as const };
      const first = await auth.loginExternal(identity, '10.0.0.1');
      const again = await auth.loginExternal({ ...identity, role: 'viewer' }, '10.0.0.1');
      if (!first.ok || !again.ok) throw new Error('single sign-on refused');
      expect(first.principal.name).toMatch(/^bea#[0-9a-f]{6}$/);
      expect(again.principal).toMatchObject({ name: first.principal.name, role: 'viewer' });
      expect((await auth.users.list()).map((user) => [user.name, user.source])).toEqual([
        ['bea', 'local'],
        [first.principal.name, 'oidc'],
      ]);
    });
  });
});

// On PostgreSQL only: SQLite's one connection runs the revocation after the held read, so there the race cannot happen.
describe('a token revoked on PostgreSQL', () => {
  const testStore = useTestStore('postgres');
  let postgres: History;
  beforeEach(async () => {
    postgres = await openHistory(await testStore.fresh());
    clock = { ms: Date.UTC(2026, 11, 3, 9, 0, 0) };
  });
  afterEach(async () => {
    await postgres.close();
  });

  it('does not keep a token whose lookup was under way while it was revoked', async () => {
    // Holds the answer of the next read of the tokens table until released.
    let release = (): void => undefined;
    let holding = false;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holdNextTokenRead: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        if (holding) {
          holding = false;
          await held;
        }
        return result;
      },
    };
    const reading = createAuth({ db: postgres.db.withPlugin(holdNextTokenRead), audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, now: () => clock.ms, passwordCost: CHEAP });
    const { secret, token } = await reading.tokens.create({ name: 'ci', role: 'operator', expiresInDays: 1 }, 'admin');
    holding = true;
    const lookup = reading.authenticateToken(secret);
    expect(await reading.tokens.revoke(token.id, 'admin')).toMatchObject({ ok: true });
    release();
    await lookup;
    expect(reading.cachedToken(secret)).not.toMatchObject({ credentialId: token.id });
    expect(await reading.authenticateToken(secret)).toBeNull();
  });
});
