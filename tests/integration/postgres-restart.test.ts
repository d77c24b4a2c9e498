import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, HistoryEvent } from '@/lib/model/events';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { ADMIN_PASSWORD, eventually, startServer, type TestServer } from '../support/server';

/**
 * PostgreSQL restarted under two replicas while the fleet changes: nothing either replica learnt
 * meanwhile may be lost or doubled, and both must recover without a restart of their own.
 */
let etcd: TestEtcd;
let postgres: TestPostgres;
let target: CountingTarget;

interface CountingTarget {
  address: string;
  setStatus(status: number): void;
  /** How many probes it has answered with something other than 200. */
  failedAnswers(): number;
  close(): Promise<void>;
}
/** A loopback /healthz answering what it is told, counting the failures it answered. */
async function startCountingTarget(): Promise<CountingTarget> {
  let status = 200;
  let failed = 0;
  const server = http.createServer((request, response) => {
    if (status !== 200) failed += 1;
    response.statusCode = status;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    setStatus: (next) => (status = next),
    failedAnswers: () => failed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
const replicas: TestServer[] = [];

beforeAll(async () => {
  [etcd, postgres, target] = await Promise.all([startEtcd(), startPostgres(), startCountingTarget()]);
  const databaseUrl = await postgres.createDatabase();
  await etcd.put('/services/pay/pay-1', JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
  await etcd.put('/services/churn/c-0', JSON.stringify({ address: '127.0.0.1:9' }));
  const env = { DATABASE_URL: databaseUrl, SWITCHYARD_REPLICA_TTL_SECONDS: '4', SWITCHYARD_PROBE_INTERVAL_MS: '500' };
  for (let i = 0; i < 2; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await target?.close();
  await postgres?.stop();
  await etcd?.stop();
});

async function events(replica: TestServer, kind: string): Promise<HistoryEvent[]> {
  const response = await replica.fetch(`/api/v1/events?${new URLSearchParams({ kind, limit: '500' })}`);
  if (response.status !== 200) throw new Error(`events: HTTP ${response.status}`);
  return ((await response.json()) as EventPage).events;
}
const callsIn = async (replica: TestServer): Promise<number> => {
  const body = (await (await replica.fetch('/api/v1/edges/latency?from=gateway&to=ledger&window=1h')).json()) as { points: { rps: number }[] };
  return Math.round(body.points.reduce((sum, point) => sum + point.rps * 60, 0));
};
const ingest = (replica: TestServer, count: number): Promise<Response> =>
  replica.fetch('/api/v1/ingest/calls', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reporter: { service: 'gateway', instance: 'gateway-1' }, intervalStart: new Date(Date.now() - 5_000).toISOString(), intervalSeconds: 5, calls: [{ to: 'ledger', count, errors: 0, latencyMs: { bounds: [10], counts: [count, 0] } }] }),
  });

describe('PostgreSQL restarted under two replicas', () => {
  it('loses and doubles no history, and both replicas recover by themselves', async () => {
    const [first, second] = replicas as [TestServer, TestServer];
    await eventually(async () => ((await events(first, 'instance.registered')).length === 2 ? true : undefined), 20_000, 'the first registrations recorded');
    await eventually(async () => ((await (await first.fetch('/api/v1/services/pay')).json()) as { status: string }).status === 'passing' || undefined, 20_000, 'pay passing');

    await postgres.restart(async () => {
      // While the database is down: a registration, a deregistration and a health change.
      await etcd.put('/services/churn/c-1', JSON.stringify({ address: '127.0.0.1:9' }));
      await etcd.delete('/services/churn/c-0');
      target.setStatus(500);
      // The API needs the database (every request's credentials are looked up there): watch the fleet's side instead.
      const failedBefore = target.failedAnswers();
      await eventually(() => (target.failedAnswers() >= failedBefore + 4 ? true : undefined), 20_000, 'pay failing its probes while the database is down');
      // Until both have failed to write what happened for 7 s (retries after 1, 2 and 4 s: past a run
      // heartbeat, every 5 s) and lost their signal connections.
      await eventually(() => (replicas.every((replica) => /history: writing .* failed .* retrying in 8 s/.test(replica.output()) && replica.output().includes('replica signals: connection to PostgreSQL lost')) ? true : undefined), 30_000, 'both replicas failing to write');
    });

    // Both still serve, without having been restarted.
    for (const replica of replicas) {
      await eventually(async () => ((await replica.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready again');
      expect(await replica.login('admin', ADMIN_PASSWORD)).toMatch(/=/);
    }
    // What changed while it was down is in the history once.
    await eventually(async () => ((await events(first, 'instance.deregistered')).length >= 1 && (await events(first, 'health.changed')).some((event) => event.to === 'critical' && event.service === 'pay') ? true : undefined), 40_000, 'the outage’s rows written');
    expect((await events(first, 'instance.registered')).map((event) => event.instance).sort()).toEqual(['c-0', 'c-1', 'pay-1']);
    expect((await events(first, 'instance.deregistered')).map((event) => event.instance)).toEqual(['c-0']);
    expect((await events(first, 'health.changed')).filter((event) => event.to === 'critical' && event.service === 'pay').map((event) => event.instance)).toEqual(['pay-1']);
    // The replicas talk again: calls reported to one reach the other's series.
    const before = await callsIn(second);
    await eventually(async () => ((await ingest(first, 100)).status === 202 ? true : undefined), 10_000, 'calls accepted');
    await eventually(async () => ((await callsIn(second)) >= before + 100 ? true : undefined), 15_000, 'the calls on the other replica');
    for (const replica of replicas) expect(replica.output()).not.toMatch(/unhandledRejection|uncaught/i);
  }, 150_000);
});
