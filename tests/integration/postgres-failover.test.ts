import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_APPLICATION_NAME } from '@/lib/server/cluster/signal-bus';
import { POOL_MAX, QUERY_TIMEOUT_MS } from '@/lib/server/history/database';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * A PostgreSQL failover as the server sees it: the old primary vanishes without a reset (packets
 * dropped), and a new one answers behind the same address. Every pooled connection is to the old
 * one, each holding a query that will never be answered.
 */
let etcd: TestEtcd;
let postgres: TestPostgres;
let proxy: CuttableProxy;
let server: TestServer;
let databaseUrl: string;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  databaseUrl = await postgres.createDatabase();
  const direct = new URL(databaseUrl);
  proxy = await startProxy(`http://${direct.host}`);
  const proxied = new URL(databaseUrl);
  proxied.host = new URL(proxy.endpoint).host;
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { DATABASE_URL: proxied.toString() } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await postgres?.stop();
  await etcd?.stop();
});

/** The pool's idle connections to the test database; the replicas' signal bus has one of its own, told by its name (its last query may be a ping). */
const POOLED_IDLE = "select count(*) as n from pg_stat_activity where datname = $1 and state = 'idle' and application_name <> $2";

/** The events API reads the database on every request; bounded so a hung request is an answer too. */
const events = (authorization: string): Promise<number> =>
  server.fetch('/api/v1/events?limit=1', { headers: { authorization }, signal: AbortSignal.timeout(20_000) }).then(
    (response) => response.status,
    () => 0,
  );

describe('PostgreSQL failing over without a reset', () => {
  it('answers database requests again soon after the new primary accepts connections', async () => {
    const flood = `Bearer ${server.adminToken}`;
    const reader = `Bearer ${await server.createToken({ name: 'reader', role: 'viewer' })}`;
    expect(await events(reader)).toBe(200);
    // Every pooled client connected to the old primary.
    const backends = async (): Promise<number> =>
      Number((await postgres.query<{ n: string }>(postgres.adminUrl, POOLED_IDLE, [new URL(databaseUrl).pathname.slice(1), SIGNAL_APPLICATION_NAME]))[0]?.n);
    await eventually(async () => {
      await Promise.all(Array.from({ length: 4 * POOL_MAX }, () => events(flood)));
      return (await backends()) >= POOL_MAX ? true : undefined;
    }, 30_000, 'a full pool');

    proxy.stall();
    // A query on each pooled connection, none answered, and more waiting for a client until they give up.
    const stuck = Array.from({ length: 2 * POOL_MAX }, () => events(flood));
    await eventually(() => (server.output().includes('database unreachable (') ? true : undefined), 30_000, 'the outage noticed');

    proxy.restore(undefined, { keepStalled: true });
    // The query bound, plus a checkout's wait and a connect: not the kernel's ~15 min.
    await eventually(async () => ((await events(reader)) === 200 ? true : undefined), QUERY_TIMEOUT_MS + 30_000, 'a database request answered after the failover');
    await Promise.all(stuck);
    expect(server.output()).not.toMatch(/unhandledRejection|uncaught|Unhandled 'error' event/i);
  }, 240_000);
});
