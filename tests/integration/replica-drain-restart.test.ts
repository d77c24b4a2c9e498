import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * A drain under way while a replica restarts (a crash and its supervisor, a rolling upgrade): the
 * instance still receives calls, reported every 45 s as an OpenTelemetry SDK reports every 60 s.
 * The restarted replica knows the calls of the minutes the leader persisted, not the seconds since,
 * nor when the next report is due: it must not call the instance idle (`drain --wait` ends on the
 * first `drained` it reads, through whichever replica the balancer picks).
 */
const REPORT_EVERY_MS = 45_000;
let etcd: TestEtcd;
let postgres: TestPostgres;
let databaseUrl: string;
let env: Record<string, string>;
const replicas: TestServer[] = [];
let reporter: NodeJS.Timeout | undefined;

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  databaseUrl = await postgres.createDatabase();
  env = { DATABASE_URL: databaseUrl, SWITCHYARD_REPLICA_TTL_SECONDS: '4' };
  await etcd.put('/services/pay/pay-1', JSON.stringify({ address: '127.0.0.1:9' }));
  for (let i = 0; i < 2; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 120_000);
afterAll(async () => {
  clearInterval(reporter);
  await Promise.all(replicas.map((replica) => replica.stop()));
  await postgres?.stop();
  await etcd?.stop();
});

const report = (replica: TestServer): Promise<Response> =>
  replica.fetch('/api/v1/ingest/calls', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reporter: { service: 'web', instance: 'web-1' }, intervalStart: new Date(Date.now() - REPORT_EVERY_MS).toISOString(), intervalSeconds: REPORT_EVERY_MS / 1_000, calls: [{ to: 'pay', toInstance: 'pay-1', count: 450, errors: 0, latencyMs: { bounds: [10], counts: [450, 0] } }] }),
  });
const drainState = async (replica: TestServer): Promise<string | undefined> =>
  ((await (await replica.fetch('/api/v1/services/pay')).json()) as Service).instances.find((instance) => instance.id === 'pay-1')?.drainState;

describe('a replica restarted while an instance drains', () => {
  it('does not call the instance idle while its calls are still reported', async () => {
    const [leader] = replicas as [TestServer];
    expect((await leader.fetch('/api/v1/services/pay/instances/pay-1/drain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'deploy', force: true }) })).status).toBe(200);
    expect((await report(leader)).status).toBe(202);
    reporter = setInterval(() => void report(leader), REPORT_EVERY_MS);
    for (const replica of replicas) await eventually(async () => ((await drainState(replica)) === 'draining' ? true : undefined), 10_000, 'draining');
    // Until the leader has persisted a minute of those calls (reported minutes close 90 s after they end).
    // (Its key is written with its first minute: persisted.ts.)
    const callsKey = JSON.stringify(['ins', 'pay', 'pay-1']);
    await eventually(async () => ((await postgres.query<{ n: number }>(databaseUrl, 'select count(*)::int as n from series_keys where key = $1', [callsKey]))[0]?.n ?? 0) > 0 || undefined, 240_000, 'a minute of calls persisted');

    await (replicas[1] as TestServer).kill();
    replicas[1] = await startServer({ etcdEndpoints: etcd.endpoints, env });
    const restarted = replicas[1];
    expect(restarted.output()).toMatch(/restored [1-9]\d* minute slot/);
    // Polled as drain --wait does, for 15 s (within one report interval: the next report may not have come yet).
    const seen = new Set<string | undefined>();
    const until = Date.now() + 15_000;
    await eventually(async () => {
      seen.add(await drainState(restarted));
      return Date.now() >= until ? true : undefined;
    }, 20_000, 'fifteen seconds of polls');
    expect([...seen]).not.toContain('drained');
    expect(await drainState(leader)).toBe('draining');
  }, 300_000);
});
