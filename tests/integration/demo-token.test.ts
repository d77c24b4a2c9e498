import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createReporterToken, DEMO_TOKEN_NAME, keepReporterToken, signIn } from '@/demo/login';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';

let etcd: TestEtcd;
let server: TestServer;
let dirs: string[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A demo's DATA_DIR of its own: the server's data (tokens) is shared, as with one DATABASE_URL. */
function demoDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-demo-token-'));
  dirs.push(dir);
  return dir;
}

const HOUR = 3_600_000;
const TokensSchema = z.object({ tokens: z.array(z.object({ id: z.string(), name: z.string(), revokedAt: z.string().nullable() })) });
const activeDemoTokens = async (): Promise<string[]> =>
  TokensSchema.parse(await (await server.fetch('/api/v1/tokens')).json())
    .tokens.filter((token) => token.name === DEMO_TOKEN_NAME && token.revokedAt === null)
    .map((token) => token.id);
/** What the server answers a reporter sending this token: 200 while it names someone, 401 once revoked or expired. */
const answers = async (token: string): Promise<number> => (await server.fetch('/api/v1/services', { headers: { authorization: `Bearer ${token}` } })).status;

describe("the demo's reporter token, against the real server", () => {
  it('is made once per data dir and reused by later starts, its secret kept in the data dir with mode 600', async () => {
    const dataDir = demoDataDir();
    const before = await activeDemoTokens();
    const first = await createReporterToken(server.url, ADMIN_PASSWORD, dataDir);
    const second = await createReporterToken(server.url, ADMIN_PASSWORD, dataDir, Date.now() + HOUR);
    expect(second.token).toBe(first.token);
    expect((await activeDemoTokens()).filter((id) => !before.includes(id))).toHaveLength(1);
    expect(await answers(first.token)).toBe(200);
    expect(statSync(path.join(dataDir, 'demo-token.json')).mode & 0o777).toBe(0o600);
  });

  it('never revokes a token another demo may be using: a second data dir on the same server makes its own, the first still answered', async () => {
    const first = await createReporterToken(server.url, ADMIN_PASSWORD, demoDataDir());
    const second = await createReporterToken(server.url, ADMIN_PASSWORD, demoDataDir());
    expect(second.token).not.toBe(first.token);
    expect([await answers(first.token), await answers(second.token)]).toEqual([200, 200]);
  });

  it('makes a new one for a day when the kept one has under an hour left, leaving the old one to run out, not revoked', async () => {
    const dataDir = demoDataDir();
    const first = await createReporterToken(server.url, ADMIN_PASSWORD, dataDir);
    expect(first.expiresAtMs).toBeGreaterThan(Date.now() + 23 * HOUR);
    // As the demo sees it 23 h 30 min on: the server's own clock has the old token still valid.
    const renewed = await createReporterToken(server.url, ADMIN_PASSWORD, dataDir, (first.expiresAtMs ?? 0) - HOUR / 2);
    expect(renewed.token).not.toBe(first.token);
    expect([await answers(first.token), await answers(renewed.token)]).toEqual([200, 200]);
    // The next start reuses the new one.
    expect((await createReporterToken(server.url, ADMIN_PASSWORD, dataDir)).token).toBe(renewed.token);
  });

  it('writes its file mode 600 even over a kept file with wider permissions', async () => {
    const dataDir = demoDataDir();
    const file = path.join(dataDir, 'demo-token.json');
    writeFileSync(file, '{"id":"gone","token":"syd_gone"}\n');
    chmodSync(file, 0o644);
    await createReporterToken(server.url, ADMIN_PASSWORD, dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('uses the token it made when its file cannot be written, saying so, instead of failing (a renewal then made a new token every minute)', async () => {
    const dataDir = demoDataDir();
    // A directory in the file's place: the write fails, as in a read-only or full DATA_DIR (the tests run as root, whom modes do not stop).
    mkdirSync(path.join(dataDir, 'demo-token.json'));
    const before = await activeDemoTokens();
    const logged: string[] = [];
    const made = await createReporterToken(server.url, ADMIN_PASSWORD, dataDir, Date.now(), (message) => logged.push(message));
    expect(await answers(made.token)).toBe(200);
    expect((await activeDemoTokens()).filter((id) => !before.includes(id))).toHaveLength(1);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^cannot keep the reporters' token in .*demo-token\.json \(.*\); using it for this run, the next start makes another$/);
  });

  it('stops renewing at its first refused sign-in, so an admin whose password changed since the demo started is not locked out (5 refusals lock for 15 min)', async () => {
    const timers: (() => void)[] = [];
    const logged: string[] = [];
    let tries = 0;
    keepReporterToken(
      { token: 'syd_0', expiresAtMs: Date.now() + 600_000 },
      {
        renew: (nowMs) => createReporterToken(server.url, 'the-password-before-the-change', demoDataDir(), nowMs).finally(() => (tries += 1)),
        use: () => undefined,
        log: (message) => logged.push(message),
        schedule: (run) => {
          timers.push(run);
          return () => undefined;
        },
      },
    );
    // Every retry it schedules, run at once: a minute apart before, 6 in all, past the lockout's 5.
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const run = timers.shift();
      if (!run) break;
      run();
      await vi.waitFor(() => expect(tries).toBe(attempt + 1));
      await vi.waitFor(() => expect(logged).toHaveLength(1));
    }
    expect(tries).toBe(1);
    expect(timers).toHaveLength(0);
    expect(logged[0]).toContain('SWITCHYARD_ADMIN_PASSWORD');
    expect((await signIn(server.url, 'admin', ADMIN_PASSWORD)).status).toBe(200);
  });
});
