import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@/lib/model/events';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { allEvents } from '../support/history-events';
import { eventually, startServer, type TestServer } from '../support/server';

/** Everything each test started, stopped after it whatever happened. */
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-history-faults-'));
  cleanup.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  return dir;
};
const etcdFor = async (): Promise<TestEtcd> => {
  const etcd = await startEtcd();
  cleanup.push(() => etcd.stop());
  return etcd;
};
const serverOn = async (endpoint: string, dataDir: string): Promise<TestServer> => {
  const server = await startServer({ etcdEndpoints: [endpoint], dataDir });
  cleanup.push(() => server.stop());
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 20_000, 'ready');
  return server;
};

/** Rows per instance of one kind. */
const countBy = (events: HistoryEvent[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.instance ?? '', (counts.get(event.instance ?? '') ?? 0) + 1);
  return counts;
};

const native = (port: number): string => JSON.stringify({ address: `127.0.0.1:${port}` });
const drainKey = '/switchyard/drain/gen/g-0';
const drainValue = JSON.stringify({ by: 'etcdctl', reason: 'maintenance', at: '2026-12-03T10:00:00.000Z' });
const clusterIdOf = async (etcd: TestEtcd): Promise<string> => (await etcd.client.maintenance.status()).header.cluster_id;

describe('history keeps every registration and deregistration through faults', () => {
  it('gives every instance deleted while the dashboard was SIGKILLed exactly one deregistration after the restart', async () => {
    const etcd = await etcdFor();
    const dataDir = tempDir();
    let server = await serverOn(etcd.endpoint, dataDir);
    const STORM = 600;
    const key = (i: number): string => `/services/storm-${i % 6}/s-${i}`;
    const first: Promise<unknown>[] = [];
    for (let i = 0; i < STORM / 2; i += 1) first.push(etcd.put(key(i), native(20_000 + i)));
    await Promise.all(first);
    const before = server;
    await eventually(async () => ((await allEvents(before, { kind: 'instance.registered' })).length >= STORM / 2 ? true : undefined), 20_000, 'first half recorded');
    // The second half of the storm is in flight when the dashboard dies.
    const second: Promise<unknown>[] = [];
    for (let i = STORM / 2; i < STORM; i += 1) second.push(etcd.put(key(i), native(20_000 + i)));
    await server.kill();
    await Promise.all(second);
    const deleted = new Set<string>();
    for (let i = 0; i < STORM; i += 3) {
      await etcd.delete(key(i));
      deleted.add(`s-${i}`);
    }

    server = await serverOn(etcd.endpoint, dataDir);
    const after = server;
    const { registered, deregistered } = await eventually(async () => {
      const registeredNow = await allEvents(after, { kind: 'instance.registered' });
      const deregisteredNow = await allEvents(after, { kind: 'instance.deregistered' });
      const survivors = STORM - deleted.size;
      const survivorsRecorded = registeredNow.filter((e) => !deleted.has(e.instance ?? '')).length;
      return survivorsRecorded >= survivors && deregisteredNow.length >= STORM / 2 / 3 ? { registered: registeredNow, deregistered: deregisteredNow } : undefined;
    }, 20_000, 'the restart to record what changed while it was down');
    const registrations = countBy(registered);
    const deregistrations = countBy(deregistered);
    expect(Math.max(...registrations.values())).toBe(1);
    expect(Math.max(...deregistrations.values())).toBe(1);
    for (let i = 0; i < STORM; i += 1) {
      const id = `s-${i}`;
      if (!deleted.has(id)) {
        expect(registrations.get(id), id).toBe(1);
        expect(deregistrations.get(id), id).toBeUndefined();
      } else if (i < STORM / 2) {
        // Recorded before the kill: closed by the restart, once.
        expect(deregistrations.get(id), id).toBe(1);
      } else {
        // Maybe seen before the kill, maybe never: either way opened and closed alike.
        expect(deregistrations.get(id) ?? 0, id).toBe(registrations.get(id) ?? 0);
      }
    }
    for (const event of deregistered) expect(event.detail).toBe('gone while Switchyard was not watching');
  });

  it('records a drain lifted while the dashboard was SIGKILLed as lifted, once, after the restart', async () => {
    const etcd = await etcdFor();
    const dataDir = tempDir();
    let server = await serverOn(etcd.endpoint, dataDir);
    const drainOf = (id: string): string => `/switchyard/drain/drained/${id}`;
    for (const id of ['d-1', 'd-2']) {
      await etcd.put(`/services/drained/${id}`, native(21_000));
      await etcd.put(drainOf(id), JSON.stringify({ by: 'etcdctl', reason: 'maintenance', at: '2026-12-03T10:00:00.000Z' }));
    }
    const before = server;
    await eventually(async () => ((await allEvents(before, { kind: 'instance.drained' })).length === 2 ? true : undefined), 10_000, 'both drains recorded');
    await server.kill();
    await etcd.delete(drainOf('d-1'));
    server = await serverOn(etcd.endpoint, dataDir);
    const after = server;
    const lifted = await eventually(async () => {
      const events = await allEvents(after, { kind: 'instance.undrained' });
      return events.length >= 1 ? events : undefined;
    }, 10_000, 'the lifted drain recorded');
    // The next relist (etcd restarted) finds nothing more to close.
    await etcd.local.stop();
    await etcd.local.restart();
    await eventually(async () => ((await allEvents(after, { kind: 'registry.resynced' })).length >= 1 ? true : undefined), 10_000, 'a relist');
    expect((await allEvents(after, { kind: 'instance.undrained' })).map((e) => e.instance)).toEqual(['d-1']);
    expect(lifted[0]?.actor).toBe('unknown (lifted while Switchyard was not watching)');
    expect(await allEvents(after, { kind: 'instance.drained' })).toHaveLength(2);
  });

  it('keeps the registrations written with a drain whose time is not one, and dates that drain when it was seen', async () => {
    const etcd = await etcdFor();
    const server = await serverOn(etcd.endpoint, tempDir());
    const seenAfter = Date.now();
    const puts = Array.from({ length: 20 }, (_, i) => etcd.client.put(`/services/lossy/i${i}`).value(native(21_000)));
    const drain = etcd.client.put('/switchyard/drain/lossy/i0').value(JSON.stringify({ by: 'mallory', reason: 'r', at: 'not a date' }));
    await etcd.client.if('/services/lossy/i0', 'Version', '==', 0).then(...puts, drain).commit();
    const registered = await eventually(async () => {
      const events = await allEvents(server, { kind: 'instance.registered', service: 'lossy' });
      return events.length >= 20 ? events : undefined;
    }, 10_000, 'the 20 registrations recorded');
    expect(registered).toHaveLength(20);
    const [drained] = await allEvents(server, { kind: 'instance.drained', service: 'lossy' });
    expect(drained).toMatchObject({ instance: 'i0', actor: 'mallory' });
    expect(Date.parse(drained?.at ?? '')).toBeGreaterThanOrEqual(seenAfter - 1_000);
    expect(server.output()).not.toMatch(/unhandledRejection|NOT NULL constraint/);
  });

  it('records the cause of each deregistration: a revoked lease, a deleted key, a lease that ran out', async () => {
    const etcd = await etcdFor();
    const server = await serverOn(etcd.endpoint, tempDir());
    const KEYS = 1_000;
    const lease = etcd.client.lease(60, { autoKeepAlive: false });
    const leaseId = await lease.grant();
    const puts: Promise<unknown>[] = [];
    for (let i = 0; i < KEYS; i += 1) puts.push(lease.put(`/services/leased/l-${i}`).value(native(30_000 + i)).exec());
    await Promise.all(puts);
    // The dashboard has looked at the lease (its TTL shows) before it goes.
    await eventually(async () => {
      const body = (await (await server.fetch('/api/v1/services/leased')).json()) as { instances?: Array<{ leaseTtl?: number }> };
      return body.instances?.length === KEYS && body.instances.every((i) => i.leaseTtl === 60) ? true : undefined;
    }, 20_000, 'lease TTL known');
    await lease.revoke();
    const revoked = await eventually(async () => {
      const events = await allEvents(server, { service: 'leased', kind: 'instance.deregistered' });
      return events.length >= KEYS ? events : undefined;
    }, 20_000, 'every revoked key recorded');
    expect(new Set(revoked.map((e) => e.detail))).toEqual(new Set([`lease ${leaseId} revoked`]));

    await etcd.put('/services/plain/p-1', native(31_000));
    const kept = etcd.client.lease(60, { autoKeepAlive: false });
    await kept.put('/services/kept/k-1').value(native(31_001)).exec();
    const keptId = await kept.grant();
    const expiring = await etcd.put('/services/expiring/e-1', native(31_002), 2);
    await eventually(async () => ((await allEvents(server, { kind: 'instance.registered', instance: 'k-1' })).length === 1 ? true : undefined), 10_000, 'registered');
    await etcd.delete('/services/plain/p-1');
    await etcd.delete('/services/kept/k-1');
    const causes = await eventually(async () => {
      const events = await allEvents(server, { kind: 'instance.deregistered' });
      const cause = (id: string): string | undefined => events.find((e) => e.instance === id)?.detail;
      const found = { deleted: cause('p-1'), leaseAlive: cause('k-1'), ranOut: cause('e-1') };
      return found.deleted && found.leaseAlive && found.ranOut ? found : undefined;
    }, 15_000, 'three deregistrations');
    expect(causes).toEqual({
      deleted: 'key deleted',
      leaseAlive: `key deleted (lease ${keptId} still alive)`,
      // etcd forgets a lease the same way whether it ran out or was revoked late: no more can be said.
      ranOut: `lease ${expiring} ended (revoked or expired)`,
    });
    await kept.revoke();
  });

  it('records a fresh etcd with the same cluster id as new registrations, not as the old ones again', async () => {
    const etcd = await etcdFor();
    const server = await serverOn(etcd.endpoint, tempDir());
    const COUNT = 50;
    for (let i = 0; i < COUNT; i += 1) await etcd.put(`/services/gen/g-${i}`, native(32_000 + i));
    await etcd.put(drainKey, drainValue);
    await eventually(async () => ((await allEvents(server, { kind: 'instance.registered' })).length >= COUNT ? true : undefined), 10_000, 'first cluster recorded');
    const clusterId = await clusterIdOf(etcd);
    // Same name, peer URL and token on an empty data dir: a new cluster that etcd gives the same id.
    await etcd.local.stop(true);
    rmSync(path.join(etcd.local.dataDir, 'member-data'), { recursive: true, force: true });
    await etcd.local.restart();
    expect(await clusterIdOf(etcd)).toBe(clusterId);
    for (let i = 0; i < COUNT; i += 1) {
      for (;;) {
        try {
          await etcd.put(`/services/gen/g-${i}`, native(33_000 + i));
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    await etcd.put(drainKey, drainValue);
    await expectTwoLives(server, COUNT);
    // A drain written straight into etcd, once in each cluster: two drains.
    await eventually(async () => ((await allEvents(server, { kind: 'instance.drained', instance: 'g-0' })).length === 2 ? true : undefined), 10_000, 'both drains recorded');
  });

  it('records what happens after a restore from a backup as a new lineage, though etcd hands out the same revisions again', async () => {
    const etcd = await etcdFor();
    const dataDir = tempDir();
    const server = await serverOn(etcd.endpoint, dataDir);
    const COUNT = 30;
    for (let i = 0; i < COUNT; i += 1) await etcd.put(`/services/gen/early-${i}`, native(36_000 + i));
    const snapshot = path.join(tempDir(), 'backup.db');
    await etcd.etcdctl('snapshot', 'save', snapshot);
    for (let i = 0; i < COUNT; i += 1) await etcd.put(`/services/gen/late-${i}`, native(37_000 + i));
    const reached = BigInt((await etcd.client.maintenance.status()).header.revision);
    // The dashboard has recorded how far this lineage got (its heartbeat does, every 2 s).
    const book = new Database(path.join(dataDir, 'history.sqlite'), { readonly: true });
    cleanup.push(() => Promise.resolve(book.close()));
    await eventually(() => {
      const rows = book.prepare('SELECT highest_revision FROM lineages').all() as Array<{ highest_revision: string }>;
      return rows.some((row) => BigInt(row.highest_revision) >= reached) ? true : undefined;
    }, 10_000, 'the highest revision recorded');
    const [member] = (JSON.parse(await etcd.etcdctl('member', 'list', '-w', 'json')) as { members: Array<{ name: string; peerURLs: string[] }> }).members;
    const peer = member?.peerURLs[0] ?? '';
    await etcd.local.stop(true);
    const memberData = path.join(etcd.local.dataDir, 'member-data');
    rmSync(memberData, { recursive: true, force: true });
    await etcd.etcdctl('snapshot', 'restore', snapshot, `--data-dir=${memberData}`, `--name=${member?.name ?? ''}`, `--initial-cluster=${member?.name ?? ''}=${peer}`, `--initial-advertise-peer-urls=${peer}`);
    await etcd.local.restart();
    // Noticed while the restored keyspace is behind what was recorded. Late keys put back before the
    // dashboard reconnects could bring it level again, and a restore is then indistinguishable from
    // none (the limit in docs/ARCHITECTURE.md "Keeping the truth through faults"), so they wait.
    await eventually(() => (server.output().includes('etcd was restored or copied') ? true : undefined), 20_000, 'the restore noticed');
    // The late keys again: in the restored etcd they get the revisions they had before the restore.
    for (let i = 0; i < COUNT; i += 1) {
      for (;;) {
        try {
          await etcd.put(`/services/gen/late-${i}`, native(38_000 + i));
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    const { registered, deregistered } = await eventually(async () => {
      const registeredNow = await allEvents(server, { service: 'gen', kind: 'instance.registered' });
      const deregisteredNow = await allEvents(server, { service: 'gen', kind: 'instance.deregistered' });
      const lateRegistrations = registeredNow.filter((e) => e.instance?.startsWith('late-')).length;
      return lateRegistrations >= 2 * COUNT && deregisteredNow.length >= COUNT ? { registered: registeredNow, deregistered: deregisteredNow } : undefined;
    }, 20_000, 'the late keys recorded in both lineages');
    expect(server.output()).toContain('etcd was restored or copied');
    const registrations = countBy(registered);
    const deregistrations = countBy(deregistered);
    for (let i = 0; i < COUNT; i += 1) {
      expect(registrations.get(`late-${i}`)).toBe(2);
      expect(deregistrations.get(`late-${i}`)).toBe(1);
      // Still registered: every recorded life but the current one is closed.
      expect((registrations.get(`early-${i}`) ?? 0) - (deregistrations.get(`early-${i}`) ?? 0)).toBe(1);
    }
  });

  it('puts the lineage marker back when it is deleted under its eyes, so nothing is recorded twice', async () => {
    const etcd = await etcdFor();
    const server = await serverOn(etcd.endpoint, tempDir());
    const COUNT = 10;
    for (let i = 0; i < COUNT; i += 1) await etcd.put(`/services/gen/g-${i}`, native(39_000 + i));
    await eventually(async () => ((await allEvents(server, { kind: 'instance.registered' })).length >= COUNT ? true : undefined), 10_000, 'recorded');
    const marker = await etcd.client.get('/switchyard/lineage').string();
    expect(marker).toMatch(/^[0-9]+$/);
    // Clearing every drain the blunt way takes the marker with it.
    await etcd.client.delete().prefix('/switchyard/');
    await eventually(async () => ((await etcd.client.get('/switchyard/lineage').string()) === marker ? true : undefined), 5_000, 'the marker back');
    // A relist (etcd restarted) reads the marker again.
    await etcd.local.stop();
    await etcd.local.restart();
    await eventually(async () => ((await allEvents(server, { kind: 'registry.resynced' })).length >= 1 ? true : undefined), 10_000, 'a relist');
    expect(await allEvents(server, { kind: 'instance.registered' })).toHaveLength(COUNT);
    expect(await allEvents(server, { kind: 'instance.deregistered' })).toHaveLength(0);
  });

  describe('behind a proxy', () => {
    let proxy: CuttableProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it('records a replacement etcd with another cluster id as new registrations, even at the same create revisions', async () => {
      const first = await etcdFor();
      const second = await etcdFor();
      proxy = await startProxy(first.endpoint);
      const server = await serverOn(proxy.endpoint, tempDir());
      const COUNT = 50;
      // The same keys written in the same order: the same create revisions in both clusters.
      for (let i = 0; i < COUNT; i += 1) await first.put(`/services/gen/g-${i}`, native(34_000 + i));
      for (let i = 0; i < COUNT; i += 1) await second.put(`/services/gen/g-${i}`, native(35_000 + i));
      await eventually(async () => ((await allEvents(server, { kind: 'instance.registered' })).length >= COUNT ? true : undefined), 10_000, 'first cluster recorded');
      proxy.cut();
      proxy.restore(second.endpoint);
      await expectTwoLives(server, COUNT);
    });
  });
});

/** Each of `count` instances registered once per cluster and deregistered once (its first life ended). */
async function expectTwoLives(server: TestServer, count: number): Promise<void> {
  const { registered, deregistered } = await eventually(async () => {
    const registeredNow = await allEvents(server, { service: 'gen', kind: 'instance.registered' });
    const deregisteredNow = await allEvents(server, { service: 'gen', kind: 'instance.deregistered' });
    return registeredNow.length >= 2 * count && deregisteredNow.length >= count ? { registered: registeredNow, deregistered: deregisteredNow } : undefined;
  }, 20_000, 'both lives of every instance recorded');
  const registrations = countBy(registered);
  const deregistrations = countBy(deregistered);
  expect(registrations.size).toBe(count);
  expect(new Set(registrations.values())).toEqual(new Set([2]));
  expect(new Set(deregistrations.values())).toEqual(new Set([1]));
}
