import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import type { Service, Status } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, metric, startServer, type TestServer } from '../support/server';

/**
 * Flapping counts among replicas (shared PostgreSQL, real etcd): a replica that starts in the middle
 * of a crash loop counts the changes made before it (from History), and the survivors of a killed
 * replica, which took over its probing and its lead, go on counting without a gap.
 */
const TTL_SECONDS = 6;
let etcd: TestEtcd;
let postgres: TestPostgres;
let target: HealthTarget;
let env: Record<string, string>;
const replicas: TestServer[] = [];

beforeAll(async () => {
  [etcd, postgres, target] = await Promise.all([startEtcd(), startPostgres(), startHealthTarget()]);
  await etcd.put('/services/crashloop/crashloop-1', JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
  env = { DATABASE_URL: await postgres.createDatabase(), SWITCHYARD_REPLICA_TTL_SECONDS: String(TTL_SECONDS), SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_ALERT_EVALUATION_MS: '250' };
  // One after the other: the first holds the oldest membership key, so it leads.
  for (let i = 0; i < 2; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 180_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await target?.close();
  await postgres?.stop();
  await etcd?.stop();
});

const service = async (from: TestServer): Promise<Service> => (await (await from.fetch('/api/v1/services/crashloop')).json()) as Service;
/** The changes `from`'s service page counts once crashloop-1 is `status` there. */
const changesWhen = async (from: TestServer, status: Status): Promise<number | undefined> => {
  const found = await eventually(async () => {
    const got = await service(from);
    return got.instances?.[0]?.status === status ? got : undefined;
  }, 20_000, `crashloop-1 ${status}`);
  return flappingOf(found.instances[0]?.criticalChangesMs, Date.now())?.changes;
};
const flappingAlert = async (from: TestServer) => {
  const snapshot = (await (await from.fetch('/api/v1/alerts')).json()) as AlertsSnapshot;
  return snapshot.alerts.find((alert) => alert.labels.alertname === 'ServiceFlapping' && alert.labels.service === 'crashloop');
};

describe('flapping among replicas', () => {
  it('a replica started mid-crash-loop counts the changes before it; the survivors of the leader killed go on counting, and the fifth change fires ServiceFlapping', async () => {
    const [first, second] = replicas as [TestServer, TestServer];
    await eventually(async () => ((await Promise.all(replicas.map((replica) => metric(replica, 'switchyard_replicas')))).every((count) => count === 2) ? true : undefined), 20_000, 'two replicas');
    // Both judged before the loop begins (a first verdict after start-up weighs against History's rows, tested apart).
    await changesWhen(first, 'passing');
    await changesWhen(second, 'passing');
    for (const [answer, status] of [[503, 'critical'], [200, 'passing'], [503, 'critical'], [200, 'passing']] as const) {
      target.setStatus(answer);
      await changesWhen(first, status);
      await changesWhen(second, status);
    }
    expect(await changesWhen(first, 'passing')).toBe(4);
    expect(await changesWhen(second, 'passing')).toBe(4);
    // Started now: it saw none of those changes, History holds them (written by the leader).
    const third = await startServer({ etcdEndpoints: etcd.endpoints, env });
    replicas.push(third);
    expect(await changesWhen(third, 'passing')).toBe(4);
    // The leader dies; the others share its probing and one leads once its lease ends.
    expect(await metric(first, 'switchyard_replica_leader')).toBe(1);
    await first.kill();
    replicas.shift();
    target.setStatus(503);
    expect(await changesWhen(second, 'critical')).toBe(5);
    expect(await changesWhen(third, 'critical')).toBe(5);
    const firing = await eventually(() => flappingAlert(second), 15_000, 'ServiceFlapping firing on a survivor');
    expect(firing.description).toMatch(/^crashloop-1: 5 changes into and out of critical in /);
    // Each replica evaluates on its own tick: the second's firing says nothing of the third's yet.
    const onThird = await eventually(() => flappingAlert(third), 15_000, 'ServiceFlapping firing on the third replica');
    expect(onThird.description).toMatch(/^crashloop-1: 5 changes into and out of critical in /);
  }, 120_000);
});
