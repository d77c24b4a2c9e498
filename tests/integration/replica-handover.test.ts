import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, HistoryEvent } from '@/lib/model/events';
import { startReceiver, type Receiver } from '../support/alertmanager';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, metric, startServer, type TestServer } from '../support/server';

/**
 * An outage that takes the leading replica with it: alerts that fire or resolve while the leader is
 * dead but its membership key has not yet expired are evaluated by every survivor, yet delivered and
 * recorded by none (only the leader does that), and so are the health changes behind them. The new
 * leader must catch up: every alert reaches the webhook and the history as fired once and resolved
 * once, every service's change to critical and back is in the history once.
 */
const TTL_SECONDS = 6;
const SERVICES = ['s1', 's2', 's3', 's4', 's5', 's6'];

let etcd: TestEtcd;
let postgres: TestPostgres;
let webhook: Receiver;
const targets = new Map<string, HealthTarget>();
/** Oldest first: the first is the leader. */
const replicas: TestServer[] = [];

beforeAll(async () => {
  [etcd, postgres, webhook] = await Promise.all([startEtcd(), startPostgres(), startReceiver()]);
  const databaseUrl = await postgres.createDatabase();
  for (const service of SERVICES) {
    const target = await startHealthTarget();
    targets.set(service, target);
    await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
  }
  const env = {
    DATABASE_URL: databaseUrl,
    SWITCHYARD_REPLICA_TTL_SECONDS: String(TTL_SECONDS),
    SWITCHYARD_PROBE_INTERVAL_MS: '500',
    SWITCHYARD_ALERT_EVALUATION_MS: '250',
    SWITCHYARD_ALERT_RULES: JSON.stringify({ defaults: { criticalForSeconds: 0 } }),
    SWITCHYARD_ALERT_WEBHOOK_URL: webhook.url,
  };
  // One after the other: the first to join holds the oldest membership key, so it leads.
  for (let i = 0; i < 3; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 180_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  for (const target of targets.values()) await target.close();
  await webhook?.close();
  await postgres?.stop();
  await etcd?.stop();
});

const leads = async (replica: TestServer): Promise<boolean> => (await metric(replica, 'switchyard_replica_leader')) === 1;
async function firingCritical(replica: TestServer): Promise<string[]> {
  const { alerts } = (await (await replica.fetch('/api/v1/alerts')).json()) as { alerts: { state: string; labels: { alertname: string; service: string } }[] };
  return alerts.filter((alert) => alert.state === 'firing' && alert.labels.alertname === 'ServiceCritical').map((alert) => alert.labels.service);
}
async function alertRows(replica: TestServer, kind: 'alert.fired' | 'alert.resolved'): Promise<HistoryEvent[]> {
  const page = (await (await replica.fetch(`/api/v1/events?${new URLSearchParams({ kind, limit: '500' })}`)).json()) as EventPage;
  return page.events.filter((event) => event.detail.startsWith('ServiceCritical ('));
}
/** Each service's `health.changed` rows to `to` (from `from` when given). */
async function healthRows(replica: TestServer, to: string, from?: string): Promise<string[]> {
  const page = (await (await replica.fetch(`/api/v1/events?${new URLSearchParams({ kind: 'health.changed', limit: '500' })}`)).json()) as EventPage;
  return page.events.filter((event) => event.to === to && (from === undefined || event.from === from)).map((event) => event.service ?? '').sort();
}
/** How many times the webhook was told `status` of each service's ServiceCritical. */
function webhookCounts(status: 'firing' | 'resolved'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of webhook.posts) {
    const body = JSON.parse(post.body) as { alerts: { status: string; labels: { alertname: string; service: string } }[] };
    for (const alert of body.alerts) if (alert.status === status && alert.labels.alertname === 'ServiceCritical') counts.set(alert.labels.service, (counts.get(alert.labels.service) ?? 0) + 1);
  }
  return counts;
}
const setAll = (status: number): void => {
  for (const target of targets.values()) target.setStatus(status);
};

/**
 * Kills `leader` and runs `change` at once; watches the survivors until one of them leads, and
 * says whether some survivor saw `firingCount(...)` change before any of them led (the window this test is about).
 */
async function killLeaderDuring(leader: TestServer, survivors: TestServer[], change: () => void, moved: (firing: string[]) => boolean): Promise<void> {
  expect(await leads(leader)).toBe(true);
  await leader.kill();
  change();
  let movedUnled = false;
  await eventually(async () => {
    const led = await Promise.all(survivors.map(leads));
    if (led.some(Boolean)) return true;
    for (const survivor of survivors) if (moved(await firingCritical(survivor))) movedUnled = true;
    return undefined;
  }, TTL_SECONDS * 1_000 + 10_000, 'a survivor leading');
  // The test is about alerts that change while nobody leads: make sure this run had some.
  expect(movedUnled, 'some alert changed on a survivor before it led').toBe(true);
}

describe('the leader killed during an outage', () => {
  it('alerts and health changes while nobody led reach the webhook and the history once each', async () => {
    const [first, second, third] = replicas as [TestServer, TestServer, TestServer];
    await eventually(async () => ((await Promise.all(replicas.map((replica) => metric(replica, 'switchyard_replicas')))).every((count) => count === 3) ? true : undefined), 20_000, 'three replicas');

    // The leader dies as every service starts failing: the survivors that probe them fire their alerts before either leads.
    await killLeaderDuring(first, [second, third], () => setAll(500), (firing) => firing.length > 0);
    await eventually(async () => ((await firingCritical(second)).length === SERVICES.length ? true : undefined), 20_000, 'every service firing');
    await eventually(() => (SERVICES.every((service) => webhookCounts('firing').get(service) === 1) ? true : undefined), 10_000, 'the webhook told of every firing').catch(() => undefined);
    await eventually(async () => ((await alertRows(second, 'alert.fired')).length >= SERVICES.length ? true : undefined), 10_000, 'every firing recorded').catch(() => undefined);
    expect(Object.fromEntries(webhookCounts('firing'))).toEqual(Object.fromEntries(SERVICES.map((service) => [service, 1])));
    expect((await alertRows(second, 'alert.fired')).map((event) => event.service).sort()).toEqual(SERVICES);
    // Their incidents are in the history: one change to critical per service.
    await eventually(async () => ((await healthRows(second, 'critical')).length >= SERVICES.length ? true : undefined), 10_000, 'every change to critical recorded').catch(() => undefined);
    expect(await healthRows(second, 'critical')).toEqual(SERVICES);

    // The new leader dies as every service recovers: the last survivor resolves what it probes before it leads.
    const leader = (await leads(second)) ? second : third;
    const survivor = leader === second ? third : second;
    await killLeaderDuring(leader, [survivor], () => setAll(200), (firing) => firing.length < SERVICES.length);
    await eventually(async () => ((await firingCritical(survivor)).length === 0 ? true : undefined), 20_000, 'every alert resolved');
    await eventually(() => (SERVICES.every((service) => webhookCounts('resolved').get(service) === 1) ? true : undefined), 10_000, 'the webhook told of every resolve').catch(() => undefined);
    await eventually(async () => ((await alertRows(survivor, 'alert.resolved')).length >= SERVICES.length ? true : undefined), 10_000, 'every resolve recorded').catch(() => undefined);
    expect(Object.fromEntries(webhookCounts('resolved'))).toEqual(Object.fromEntries(SERVICES.map((service) => [service, 1])));
    expect((await alertRows(survivor, 'alert.resolved')).map((event) => event.service).sort()).toEqual(SERVICES);
    await eventually(async () => ((await healthRows(survivor, 'passing', 'critical')).length >= SERVICES.length ? true : undefined), 10_000, 'every recovery recorded').catch(() => undefined);
    expect(await healthRows(survivor, 'passing', 'critical')).toEqual(SERVICES);
    expect(await healthRows(survivor, 'critical')).toEqual(SERVICES);
    expect(Object.fromEntries(webhookCounts('firing'))).toEqual(Object.fromEntries(SERVICES.map((service) => [service, 1])));
  }, 120_000);
});
