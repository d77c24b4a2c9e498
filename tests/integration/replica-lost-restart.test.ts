import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, HistoryEvent } from '@/lib/model/events';
import type { Service } from '@/lib/model/instance';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startLeasedService, type LeasedService } from '../support/leased-service';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Lost instances (DESIGN §6) are held in each replica's memory: a replica that was not watching
 * when an instance crashed, and one that did not take an operator's dismissal, must still show what
 * the others show, and the history must record the dismissal once.
 */
let etcd: TestEtcd;
let postgres: TestPostgres;
let env: Record<string, string>;
/** Oldest first: the first leads. */
const replicas: TestServer[] = [];
const services: LeasedService[] = [];

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  env = { DATABASE_URL: await postgres.createDatabase(), SWITCHYARD_REPLICA_TTL_SECONDS: '4', SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_DEPARTED_CHECK_SECONDS: '2' };
  for (let i = 0; i < 2; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 120_000);
afterAll(async () => {
  await Promise.allSettled(services.map((service) => service.kill()));
  await Promise.all(replicas.map((replica) => replica.stop()));
  await postgres?.stop();
  await etcd?.stop();
});

const serviceOn = async (replica: TestServer, name: string): Promise<Service | undefined> => {
  const { services: listed } = (await (await replica.fetch('/api/v1/services')).json()) as { services: Service[] };
  return listed.find((candidate) => candidate.name === name);
};
const lostOn = async (replica: TestServer, name: string): Promise<string[]> => ((await serviceOn(replica, name))?.instances ?? []).filter((instance) => instance.lost).map((instance) => instance.id);
async function events(replica: TestServer, filters: Record<string, string>): Promise<HistoryEvent[]> {
  return ((await (await replica.fetch(`/api/v1/events?${new URLSearchParams({ ...filters, limit: '500' })}`)).json()) as EventPage).events;
}

/** Starts `name`-1 on a lease, waits until every replica sees it passing, kills it and waits until every replica holds it lost. */
async function crash(name: string): Promise<void> {
  const service = await startLeasedService({ etcdEndpoint: etcd.endpoint, service: name, id: `${name}-1`, leaseTtlSeconds: 3 });
  services.push(service);
  for (const replica of replicas) await eventually(async () => ((await serviceOn(replica, name))?.status === 'passing' ? true : undefined), 20_000, `${name} passing`);
  await service.kill();
  for (const replica of replicas) await eventually(async () => ((await lostOn(replica, name)).length === 1 ? true : undefined), 20_000, `${name} lost`);
}

describe('lost instances across replicas', () => {
  it('a dismissal taken by one replica drops the loss on every replica, and history records it once', async () => {
    await crash('orders');
    const [leader, follower] = replicas as [TestServer, TestServer];
    expect((await follower.fetch('/api/v1/services/orders/instances/orders-1/lost', { method: 'DELETE' })).status).toBe(200);
    expect(await lostOn(follower, 'orders')).toEqual([]);
    await eventually(async () => ((await lostOn(leader, 'orders')).length === 0 ? true : undefined), 5_000, 'the loss gone on the other replica').catch(() => undefined);
    expect(await lostOn(leader, 'orders')).toEqual([]);
    await eventually(async () => ((await events(leader, { kind: 'instance.lost_cleared', instance: 'orders-1' })).length > 0 ? true : undefined), 5_000, 'the dismissal recorded').catch(() => undefined);
    const cleared = await events(leader, { kind: 'instance.lost_cleared', instance: 'orders-1' });
    expect(cleared.map((event) => event.actor)).toEqual(['token:test-admin']);
  }, 90_000);

  it('a replica started during an outage shows the instances lost before it started', async () => {
    await crash('users');
    await (replicas[1] as TestServer).kill();
    replicas[1] = await startServer({ etcdEndpoints: etcd.endpoints, env });
    const fresh = replicas[1];
    await eventually(async () => ((await fresh.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
    await eventually(async () => ((await serviceOn(fresh, 'users'))?.status === 'critical' ? true : undefined), 5_000, 'users critical on the new replica').catch(() => undefined);
    const seen = await serviceOn(fresh, 'users');
    expect(seen?.status).toBe('critical');
    expect(seen?.instances.map((instance) => ({ id: instance.id, lost: instance.lost?.cause }))).toEqual((await serviceOn(replicas[0] as TestServer, 'users'))?.instances.map((instance) => ({ id: instance.id, lost: instance.lost?.cause })));
    // Adopted, not lost again: the loss is recorded once.
    expect(await events(fresh, { kind: 'instance.lost', instance: 'users-1' })).toHaveLength(1);
  }, 90_000);
});
