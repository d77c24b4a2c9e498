import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Two replicas whose wall clocks disagree by two minutes (one host's NTP is off). What one learns
 * and passes on is placed on its own clock; the other must still count it now, not two minutes
 * from now (or ago), or the replicas judge the same service differently.
 */
const SKEW_MS = 120_000;
let etcd: TestEtcd;
let postgres: TestPostgres;
let onTime: TestServer;
let ahead: TestServer;
let target: HealthTarget;

beforeAll(async () => {
  [etcd, postgres, target] = await Promise.all([startEtcd(), startPostgres(), startHealthTarget()]);
  // Probed by one replica or the other (rendezvous over their ids): with eight, both probe some.
  for (let n = 1; n <= 8; n += 1) await etcd.put(`/services/shop/shop-${n}`, JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
  const env = { DATABASE_URL: await postgres.createDatabase(), SWITCHYARD_PROBE_INTERVAL_MS: '500' };
  onTime = await startServer({ etcdEndpoints: etcd.endpoints, env });
  ahead = await startServer({ etcdEndpoints: etcd.endpoints, env: { ...env, SKEWED_CLOCK_MS: String(SKEW_MS) }, nodeArgs: ['--import', path.resolve(import.meta.dirname, '../support/skewed-clock.mjs')] });
}, 120_000);
afterAll(async () => {
  await ahead?.stop();
  await onTime?.stop();
  await target?.close();
  await postgres?.stop();
  await etcd?.stop();
});

/** How far each shop instance's last probe is from `replica`'s own clock (ms, signed), by instance. */
async function probeOffsets(replica: TestServer, skewMs: number): Promise<number[]> {
  const service = (await (await replica.fetch('/api/v1/services/shop')).json()) as Service;
  return service.instances.map((instance) => (instance.lastProbe ? Date.parse(instance.lastProbe.at) - (Date.now() + skewMs) : Number.NaN));
}

/** Calls gateway → ledger in the last hour of `replica`'s edge series, up to its now. */
const recentCalls = async (replica: TestServer): Promise<number> => {
  const body = (await (await replica.fetch('/api/v1/edges/latency?from=gateway&to=ledger&window=1h')).json()) as { points: { t: number; rps: number }[] };
  return Math.round(body.points.reduce((sum, point) => sum + point.rps * 60, 0));
};
const ingest = (replica: TestServer, count: number): Promise<Response> =>
  replica.fetch('/api/v1/ingest/calls', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reporter: { service: 'gateway', instance: 'gateway-1' }, intervalStart: new Date(Date.now() - 5_000).toISOString(), intervalSeconds: 5, calls: [{ to: 'ledger', count, errors: count / 10, latencyMs: { bounds: [10], counts: [count, 0] } }] }),
  });

describe('replicas whose clocks disagree', () => {
  it('count calls reported to either one in the other’s recent series', async () => {
    await eventually(async () => ((await (await ahead.fetch('/metrics')).text()).includes('switchyard_replicas 2') ? true : undefined), 20_000, 'two replicas');
    for (const [to, from] of [
      [ahead, onTime],
      [onTime, ahead],
    ] as const) {
      const before = await recentCalls(from);
      const accepted = await ingest(to, 100);
      if (accepted.status !== 202) throw new Error(`ingest ${accepted.status} ${await accepted.text()}\n${to.output().slice(-3000)}`);
      await eventually(async () => ((await recentCalls(to)) >= 100 ? true : undefined), 5_000, 'the calls where they were reported');
      await eventually(async () => ((await recentCalls(from)) >= before + 100 ? true : undefined), 5_000, 'the calls on the other replica').catch(() => undefined);
      expect((await recentCalls(from)) - before).toBe(100);
    }
  }, 90_000);

  it('time the probes the other one made on their own clock', async () => {
    for (const [replica, skewMs] of [
      [onTime, 0],
      [ahead, SKEW_MS],
    ] as const) {
      await eventually(async () => ((await probeOffsets(replica, skewMs)).every((offset) => !Number.isNaN(offset)) ? true : undefined), 20_000, 'every instance probed');
      // A probe result is at most a couple of intervals old, never minutes off (ahead or behind).
      await eventually(async () => ((await probeOffsets(replica, skewMs)).every((offset) => Math.abs(offset) < 30_000) ? true : undefined), 5_000, 'every probe on this clock').catch(() => undefined);
      expect((await probeOffsets(replica, skewMs)).filter((offset) => Math.abs(offset) >= 30_000)).toEqual([]);
    }
  }, 60_000);
});
