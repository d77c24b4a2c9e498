import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPage, HistoryEvent } from '@/lib/model/events';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * A drain or undrain made through one replica's API is recorded with who did it. Every other replica
 * also sees the change through its watch and records it under the same natural key, without the
 * operator (etcd does not say who deleted a key): whichever row reached the shared database first
 * won, so the audit named "unknown" about as often as the operator.
 */
const CYCLES = 6;
let etcd: TestEtcd;
let postgres: TestPostgres;
const replicas: TestServer[] = [];

beforeAll(async () => {
  [etcd, postgres] = await Promise.all([startEtcd(), startPostgres()]);
  const env = { DATABASE_URL: await postgres.createDatabase() };
  await etcd.put('/services/pay/p-1', JSON.stringify({ address: '127.0.0.1:9' }));
  await etcd.put('/services/pay/p-2', JSON.stringify({ address: '127.0.0.1:9' }));
  for (let i = 0; i < 3; i += 1) replicas.push(await startServer({ etcdEndpoints: etcd.endpoints, env }));
}, 120_000);
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await postgres?.stop();
  await etcd?.stop();
});

async function rows(replica: TestServer, kind: string): Promise<HistoryEvent[]> {
  return ((await (await replica.fetch(`/api/v1/events?${new URLSearchParams({ kind, instance: 'p-1', limit: '500' })}`)).json()) as EventPage).events;
}

describe('drains through the API of one of three replicas', () => {
  it('are recorded once each, with the operator who made them and the API’s detail', async () => {
    const [first] = replicas as [TestServer];
    const url = '/api/v1/services/pay/instances/p-1/drain';
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const drained = await first.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: `deploy ${cycle}`, force: true }) });
      expect(drained.status).toBe(200);
      expect((await first.fetch(url, { method: 'DELETE' })).status).toBe(200);
    }
    await eventually(async () => ((await rows(first, 'instance.undrained')).length >= CYCLES ? true : undefined), 10_000, 'every undrain recorded');
    const undrained = await rows(first, 'instance.undrained');
    expect(undrained.map((event) => event.actor)).toEqual(Array.from({ length: CYCLES }, () => 'token:test-admin'));
    const drainedRows = await rows(first, 'instance.drained');
    expect(drainedRows).toHaveLength(CYCLES);
    for (const event of drainedRows) expect(event.detail).toContain('[guard overridden]');
  }, 90_000);
});
