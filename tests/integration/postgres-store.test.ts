import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, HistoryEvent } from '@/lib/model/events';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, passwordOf, startServer, type TestServer } from '../support/server';

let postgres: TestPostgres;
const dataDirs: string[] = [];

/** Each start gets an empty data dir: whatever survives a restart can only have come from PostgreSQL. */
const start = async (etcd: TestEtcd, databaseUrl: string): Promise<TestServer> => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-pg-it-'));
  dataDirs.push(dataDir);
  const started = await startServer({ etcdEndpoints: etcd.endpoints, dataDir, env: { DATABASE_URL: databaseUrl } });
  await eventually(async () => ((await started.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
  return started;
};
const events = async (from: TestServer, kind: string): Promise<HistoryEvent[]> =>
  ((await (await from.fetch(`/api/v1/events?${new URLSearchParams({ kind, limit: '500' })}`)).json()) as EventPage).events;
const drainUrl = (id: string): string => `/api/v1/services/pay/instances/${encodeURIComponent(id)}/drain`;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the real server with DATABASE_URL', () => {
  it('signs in, issues tokens, records history in PostgreSQL (not SQLite), and keeps them all across a restart', async () => {
    // An etcd and a database of their own per attempt: a retry would find the first attempt's users,
    // tokens, events and drain, and the assertions below are about exactly what one start made.
    const databaseUrl = await postgres.createDatabase();
    const etcd = await startEtcd();
    let running: TestServer | undefined;
    try {
      await etcd.put('/services/pay/p-1', JSON.stringify({ address: '127.0.0.1:9' }));
      // startServer signs the admin in and creates an API token through the API.
      const first = await start(etcd, databaseUrl);
      running = first;
      const firstAdminToken = first.adminToken;
      const alice = await first.userSession('alice', 'operator');
      const response = await first.fetch(drainUrl('p-1'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: alice, origin: first.url },
        body: JSON.stringify({ reason: 'deploy', force: true }),
      });
      expect(response.status).toBe(200);
      const [drained] = await eventually(async () => {
        const found = await events(first, 'instance.drained');
        return found.length > 0 ? found : undefined;
      }, 10_000, 'drain recorded');
      expect(drained).toMatchObject({ service: 'pay', instance: 'p-1', actor: 'alice' });
      expect((await events(first, 'instance.registered')).map((event) => event.instance)).toEqual(['p-1']);

      // Read back with the harness's own client: the rows are in PostgreSQL, and no SQLite file was made.
      const rows = await postgres.query<{ kind: string; actor: string | null }>(databaseUrl, "select kind, actor from events where kind in ('instance.drained', 'auth.login') order by id");
      expect(rows).toContainEqual({ kind: 'instance.drained', actor: 'alice' });
      expect(rows).toContainEqual({ kind: 'auth.login', actor: 'alice' });
      expect((await postgres.query<{ name: string }>(databaseUrl, 'select name from users order by name')).map((row) => row.name)).toEqual(['admin', 'alice']);
      expect((await postgres.query<{ name: string }>(databaseUrl, 'select name from tokens')).map((row) => row.name)).toEqual(['test-admin']);
      expect(existsSync(path.join(first.dataDir, 'history.sqlite'))).toBe(false);

      await first.stop();
      const current = await start(etcd, databaseUrl);
      running = current;
      expect(current.output()).not.toContain('first start');
      const me = async (headers: Record<string, string>): Promise<unknown> => (await current.fetch('/api/v1/auth/me', { headers })).json();
      expect(await me({ cookie: alice })).toEqual({ name: 'alice', role: 'operator', kind: 'session' });
      expect(await me({ authorization: `Bearer ${firstAdminToken}` })).toEqual({ name: 'test-admin', role: 'admin', kind: 'token' });
      expect(await current.login('alice', passwordOf('alice'))).toMatch(/=/);
      expect(await events(current, 'instance.drained')).toEqual([drained]);
      // The registry replay after the restart is recognised by its natural key, not recorded twice.
      expect((await events(current, 'instance.registered')).map((event) => event.instance)).toEqual(['p-1']);
    } finally {
      // Whatever happened: no server of this attempt outlives it.
      await running?.stop();
      await etcd.stop();
    }
  });
});
