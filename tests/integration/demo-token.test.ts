import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createReporterToken, DEMO_TOKEN_NAME } from '@/demo/login';
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
});
