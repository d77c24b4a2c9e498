import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import { createDatabaseOutage } from '../database-outage';
import { openHistory, type History } from '../history/store';
import { isDatabaseUnreachable } from '../history/unreachable';
import { createAuth, OUTAGE_TRUST_MS } from './service';

const CHEAP = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'correct-horse-battery';

let postgres: TestPostgres;
let url: string;
let history: History;

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
  history = await openHistory({ url });
}, 60_000);
afterAll(async () => {
  await history?.close();
  await postgres?.stop();
}, 60_000);

const unreachable = async (promise: Promise<unknown>): Promise<boolean> => promise.then(() => false, (error: unknown) => isDatabaseUnreachable(error));

describe('auth while PostgreSQL is down (a real server, stopped and started)', () => {
  it('lets in what it verified under a minute ago, refuses the rest as unreachable, and drops a sign-out at once', async () => {
    const clock = { ms: Date.UTC(2026, 11, 6, 9, 0, 0) };
    const lines: string[] = [];
    const outage = createDatabaseOutage({ now: () => clock.ms, log: (line) => lines.push(line) });
    const auth = createAuth({ db: history.db, audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, now: () => clock.ms, passwordCost: CHEAP, outage });
    await auth.users.create({ name: 'bea', role: 'viewer', password: PASSWORD }, 'test');
    const login = async (): Promise<string> => {
      const outcome = await auth.login('bea', PASSWORD, '10.0.0.1');
      if (!outcome.ok) throw new Error(outcome.code);
      return outcome.sessionSecret;
    };
    const [session, leaving, unchecked] = [await login(), await login(), await login()];
    const { secret: token } = await auth.tokens.create({ name: 'pipeline', role: 'operator' }, 'test');
    const { secret: otherToken } = await auth.tokens.create({ name: 'never-used', role: 'viewer' }, 'test');
    clock.ms += 60_000;
    // Verified now: a minute after sign-in, so the sign-in itself no longer counts.
    expect(await auth.authenticateSession(session)).toMatchObject({ name: 'bea' });
    const leavingPrincipal = await auth.authenticateSession(leaving);
    if (!leavingPrincipal) throw new Error('the second session was not let in');
    expect(await auth.authenticateToken(token)).toMatchObject({ name: 'pipeline', role: 'operator' });

    await postgres.restart(async () => {
      clock.ms += 30_000;
      // Past the token cache's 10 s: both lookups reach the database, which is down.
      expect(await auth.authenticateSession(session)).toMatchObject({ name: 'bea', kind: 'session' });
      expect(await auth.authenticateToken(token)).toMatchObject({ name: 'pipeline', role: 'operator' });
      expect(lines.filter((line) => line.startsWith('database unreachable'))).toHaveLength(1);
      // Never verified, or verified over a minute ago: the database must say, and cannot.
      expect(await unreachable(auth.authenticateSession(unchecked))).toBe(true);
      expect(await unreachable(auth.authenticateToken(otherToken))).toBe(true);
      expect(await unreachable(auth.authenticateSession('not-a-session'))).toBe(true);
      // A sign-out here cannot be recorded, but this replica stops honouring the session at once.
      expect(await unreachable(auth.logout(leavingPrincipal))).toBe(true);
      expect(await unreachable(auth.authenticateSession(leaving))).toBe(true);
      clock.ms += OUTAGE_TRUST_MS - 30_000;
      expect(await unreachable(auth.authenticateSession(session))).toBe(true);
      expect(await unreachable(auth.authenticateToken(token))).toBe(true);
      expect(lines).toHaveLength(1);
    });

    // Back: the database answers again, without a new auth service.
    expect(await auth.authenticateSession(session)).toMatchObject({ name: 'bea' });
    expect(await auth.authenticateSession(unchecked)).toMatchObject({ name: 'bea' });
    expect(await auth.authenticateToken(otherToken)).toMatchObject({ name: 'never-used' });
    expect(outage.since()).toBeNull();
    expect(lines[1]).toMatch(/^database reachable again after \d+ s/);
  }, 60_000);

  it('does not take a query that fails on its own for an outage: no fallback, the error as it is', async () => {
    const auth = createAuth({ db: history.db, audit: () => undefined, idleSeconds: 3_600, maxSeconds: 86_400, passwordCost: CHEAP });
    const { secret } = await auth.tokens.create({ name: 'soon-broken', role: 'viewer' }, 'test');
    const outcome = await auth.login('bea', PASSWORD, '10.0.0.2');
    if (!outcome.ok) throw new Error(outcome.code);
    expect(await auth.authenticateSession(outcome.sessionSecret)).toMatchObject({ name: 'bea' });
    await postgres.query(url, 'ALTER TABLE sessions RENAME TO sessions_gone');
    try {
      const error = await auth.authenticateSession(outcome.sessionSecret).then(() => undefined, (thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: '42P01' });
      expect(isDatabaseUnreachable(error)).toBe(false);
    } finally {
      await postgres.query(url, 'ALTER TABLE sessions_gone RENAME TO sessions');
    }
    expect(await auth.authenticateToken(secret)).toMatchObject({ name: 'soon-broken' });
  }, 60_000);
});
