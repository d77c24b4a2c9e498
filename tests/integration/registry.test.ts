import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createRegistry, WATCH_EVENTS_PER_TURN, type Registry } from '@/lib/server/registry/sync';
import { createStore, type RegistryTarget, type Store } from '@/lib/server/store/store';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually } from '../support/server';

interface Dashboard {
  store: Store;
  registry: Registry;
  client: Etcd3;
  stop(): Promise<void>;
}

/** `target` wraps the store the registry writes to (default: the store itself). */
async function startDashboard(endpoint: string, target: (store: Store) => RegistryTarget = (store) => store): Promise<Dashboard> {
  const client = createEtcdClient({ endpoints: [endpoint] });
  const store = createStore({ coalesceMs: 20 });
  const registry = createRegistry({
    client,
    store: target(store),
    prefixes: [],
    controlPrefix: '/switchyard/',
    counters: { watchEvents: () => undefined, relists: () => undefined },
    log: () => undefined,
    heartbeatMs: 300,
  });
  registry.start();
  await registry.synced();
  return {
    store,
    registry,
    client,
    async stop() {
      await registry.stop();
      store.close();
      client.close();
    },
  };
}

const instanceKeys = (store: Store): string[] => [...store.instances()].map((i) => i.key).sort();
const native = (port: number): string => JSON.stringify({ address: `127.0.0.1:${port}` });
const sameAsEtcd = async (etcd: TestEtcd, dashboard: Dashboard, prefix = '/services/'): Promise<true | undefined> => {
  const truth = (await etcd.etcdctlKeys(prefix)).sort();
  const seen = instanceKeys(dashboard.store).filter((key) => key.startsWith(prefix));
  return JSON.stringify(truth) === JSON.stringify(seen) ? true : undefined;
};

let etcd: TestEtcd;
let dashboard: Dashboard | undefined;
const active = (): Dashboard => {
  if (!dashboard) throw new Error('no dashboard running');
  return dashboard;
};

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd.stop();
});
afterEach(async () => {
  await dashboard?.stop();
  dashboard = undefined;
  await etcd.client.delete().all();
});

describe('registry against a real etcd', () => {
  it('shows a registration, forgets a delete, and drops a key whose lease expires', async () => {
    await etcd.put('/services/users/u-1', native(9001));
    dashboard = await startDashboard(etcd.endpoint);
    expect(instanceKeys(dashboard.store)).toEqual(['/services/users/u-1']);

    // A lease long enough to be seen before it expires on a busy machine, short enough to wait out.
    await etcd.put('/services/users/u-2', native(9002), 4);
    await eventually(() => (dashboard?.store.instanceCount() === 2 ? true : undefined), 3_000, 'u-2 to appear');
    await eventually(() => [...(dashboard?.store.instances() ?? [])].find((i) => i.id === 'u-2')?.leaseTtl, 3_000, 'lease TTL');

    await etcd.delete('/services/users/u-1');
    await eventually(() => (instanceKeys(active().store).includes('/services/users/u-1') ? undefined : true), 3_000, 'u-1 to go');
    await eventually(() => (dashboard?.store.instanceCount() === 0 ? true : undefined), 10_000, 'lease expiry');
  });

  it('keeps up with a burst of 2,000 puts and ends equal to etcd', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 2_000; i += 1) writes.push(etcd.client.put(`/services/svc-${i % 50}/i-${i}`).value(native(10_000 + i)).exec());
    await Promise.all(writes);
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    expect(dashboard.store.instanceCount()).toBe(2_000);
  });

  it('applies a delete of 2,000 keys (one watch response) a few hundred events per turn of the event loop, what follows it after it', async () => {
    for (let batch = 0; batch < 20; batch += 1) {
      await etcd.client
        .if('/services/none', 'Version', '==', 0)
        .then(...Array.from({ length: 100 }, (_, i) => etcd.client.put(`/services/mass/m-${batch * 100 + i}`).value(native(40_000 + batch * 100 + i))))
        .commit();
    }
    // Turns of the event loop, counted by an immediate that queues itself again: removals made in
    // one synchronous run all see the same count.
    let turn = 0;
    let counting = true;
    const count = (): void => {
      turn += 1;
      if (counting) setImmediate(count);
    };
    const turnsOfRemovals: number[] = [];
    dashboard = await startDashboard(etcd.endpoint, (store) => ({
      ...store,
      removeKey(etcdKey) {
        if (etcdKey.startsWith('/services/mass/')) turnsOfRemovals.push(turn);
        store.removeKey(etcdKey);
      },
    }));
    expect(dashboard.store.instanceCount()).toBe(2_000);
    count();
    try {
      await etcd.client.delete().prefix('/services/mass/');
      await etcd.put('/services/mass/m-7', native(50_007));
      await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd');
    } finally {
      counting = false;
    }
    expect(instanceKeys(dashboard.store)).toEqual(['/services/mass/m-7']);
    expect(turnsOfRemovals).toHaveLength(2_000);
    const perTurn = new Map<number, number>();
    for (const at of turnsOfRemovals) perTurn.set(at, (perTurn.get(at) ?? 0) + 1);
    expect(perTurn.size).toBeGreaterThan(1);
    expect(perTurn.size).toBeGreaterThanOrEqual(2_000 / WATCH_EVENTS_PER_TURN);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(WATCH_EVENTS_PER_TURN);
    // The revision moved on to the put's once each response was wholly applied.
    expect(BigInt(dashboard.store.revision())).toBeGreaterThanOrEqual(BigInt((await etcd.client.get('/services/mass/m-7').exec()).header.revision));
  });

  it('survives etcd being killed and restarted mid-burst, ending equal to etcd', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    for (let i = 0; i < 200; i += 1) await etcd.client.put(`/services/burst/b-${i}`).value(native(20_000 + i));
    const WRITES = 600;
    let written = 0;
    let failedWrites = 0;
    const writer = (async () => {
      const writerClient = createEtcdClient({ endpoints: [etcd.endpoint] });
      for (let i = 0; i < WRITES; i += 1) {
        const key = `/services/burst/b-${i % 300}`;
        for (;;) {
          try {
            if (i % 3 === 0) await writerClient.delete().key(key);
            else await writerClient.put(key).value(native(30_000 + i));
            written += 1;
            break;
          } catch {
            failedWrites += 1;
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
      writerClient.close();
    })();
    await eventually(() => (written >= 20 ? true : undefined), 5_000, 'the burst to be under way');
    await etcd.local.stop(true);
    // Killed mid-burst: some writes landed, the rest wait for etcd to come back.
    const writtenAtKill = written;
    expect(writtenAtKill).toBeLessThan(WRITES);
    await eventually(() => (dashboard?.store.registryStatus().state === 'unreachable' ? true : undefined), 5_000, 'unreachable status');
    await eventually(() => (failedWrites > 0 ? true : undefined), 5_000, 'a write to fail against the dead etcd');
    expect(written - writtenAtKill).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_000));
    await etcd.local.restart();
    const backAt = Date.now();
    await eventually(() => (dashboard?.store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'resync');
    expect(Date.now() - backAt).toBeLessThan(2_000);
    await writer;
    await eventually(() => sameAsEtcd(etcd, active()), 10_000, 'dashboard to equal etcd after the outage');
  });

  describe('behind a partition', () => {
    let proxy: CuttableProxy;
    beforeAll(async () => {
      proxy = await startProxy(etcd.endpoint);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('applies removals and additions hidden by a compaction while it was cut off', async () => {
      for (let i = 0; i < 20; i += 1) await etcd.put(`/services/gap/g-${i}`, native(40_000 + i));
      dashboard = await startDashboard(proxy.endpoint);
      expect(dashboard.store.instanceCount()).toBe(20);
      proxy.cut();
      await eventually(() => (dashboard?.store.registryStatus().state === 'unreachable' ? true : undefined), 5_000, 'unreachable');
      for (let i = 0; i < 10; i += 1) await etcd.delete(`/services/gap/g-${i}`);
      for (let i = 20; i < 25; i += 1) await etcd.put(`/services/gap/g-${i}`, native(40_000 + i));
      const { header } = await etcd.client.kv.range({ key: Buffer.from('/') });
      await etcd.client.kv.compact({ revision: header.revision, physical: true });
      proxy.restore();
      await eventually(() => (dashboard?.store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'resync');
      await eventually(() => sameAsEtcd(etcd, active()), 5_000, 'gap applied');
      expect(dashboard.store.instanceCount()).toBe(15);
    });

    it('relists when etcd comes back as a different cluster with a lower revision', async () => {
      for (let i = 0; i < 50; i += 1) await etcd.put(`/services/old/o-${i}`, native(41_000 + i));
      dashboard = await startDashboard(proxy.endpoint);
      const other = await startEtcd();
      try {
        await other.put('/services/restored/r-1', native(42_000));
        proxy.cut();
        proxy.restore(other.endpoint);
        await eventually(() => (instanceKeys(active().store).join() === '/services/restored/r-1' ? true : undefined), 5_000, 'the other cluster');
      } finally {
        proxy.cut();
        proxy.restore(etcd.endpoint);
        await other.stop();
      }
    });
  });

  it('keeps each go-micro node its own status when the node list is reordered or shrinks', async () => {
    const etcdKey = '/micro/registry/users/n1';
    const nodes = (...ids: string[]): string =>
      JSON.stringify({ name: 'users', version: '1', nodes: ids.map((id) => ({ id, address: `127.0.0.1:${9_100 + Number(id.slice(1))}`, metadata: null })) });
    const put = async (value: string): Promise<bigint> => BigInt((await etcd.client.put(etcdKey).value(value).exec()).header.revision);
    const applied = (revision: bigint) => (): true | undefined => (BigInt(active().store.revision()) >= revision ? true : undefined);
    const statusOf = (id: string): string | undefined => [...active().store.instances()].find((instance) => instance.id === id)?.status;

    await put(nodes('n1', 'n2', 'n3'));
    dashboard = await startDashboard(etcd.endpoint);
    expect(dashboard.store.instanceCount()).toBe(3);
    const keyOf = (id: string): string => [...active().store.instances()].find((instance) => instance.id === id)?.key ?? '';
    dashboard.store.setHealth(keyOf('n1'), { status: 'critical', statusCause: 'HTTP 503' });
    dashboard.store.setHealth(keyOf('n3'), { status: 'passing', statusCause: 'HTTP 200' });

    await eventually(applied(await put(nodes('n3', 'n2', 'n1'))), 2_000, 'the reordered list');
    expect([statusOf('n1'), statusOf('n2'), statusOf('n3')]).toEqual(['critical', 'unknown', 'passing']);

    await eventually(applied(await put(nodes('n1'))), 2_000, 'the shrunk list');
    expect(dashboard.store.instanceCount()).toBe(1);
    expect(statusOf('n1')).toBe('critical');
  });

  it('keeps keys that differ only in invalid UTF-8 bytes apart: two instances, deleting one leaves the other', async () => {
    const twin = (last: number): Buffer => Buffer.concat([Buffer.from('/services/u8/a'), Buffer.from([last])]);
    await etcd.client.put(twin(0xff)).value(native(9_201)).exec();
    await etcd.client.put(twin(0xfe)).value(native(9_202)).exec();
    dashboard = await startDashboard(etcd.endpoint);
    const ids = (): string[] => [...active().store.instances()].map((instance) => instance.id).sort();
    expect(ids()).toEqual(['a\\xfe', 'a\\xff']);
    expect(new Set([...dashboard.store.instances()].map((instance) => instance.key)).size).toBe(2);

    const { header } = await etcd.client.kv.deleteRange({ key: twin(0xff) });
    await eventually(() => (BigInt(active().store.revision()) >= BigInt(header.revision) ? true : undefined), 2_000, 'the delete');
    expect(ids()).toEqual(['a\\xfe']);
    expect([...dashboard.store.instances()][0]?.address).toBe('127.0.0.1:9202');
  });

  it('ignores hostile values without failing, and keeps hostile names as data', async () => {
    dashboard = await startDashboard(etcd.endpoint);
    await etcd.put('/services/<img src=x onerror=alert(1)>/x', native(43_000));
    await etcd.put('/services/proto/p', Buffer.from('{"address":"127.0.0.1:1","metadata":{"__proto__":{"polluted":"yes"}}}'));
    await etcd.put('/services/bad-utf8/b', Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d]));
    await etcd.put('/services/huge/h', Buffer.alloc(1024 * 1024, 0x61));
    await etcd.put('/services/wrong-shape/w', '[1,2,3]');
    await etcd.put('/config/feature-flags', '{"dark":true}');
    await etcd.put('/services/after/a', native(43_001));
    await eventually(() => (instanceKeys(active().store).includes('/services/after/a') ? true : undefined), 2_000, 'later key');
    const names = dashboard.store.snapshot().services.map((s) => s.name);
    expect(names).toContain('<img src=x onerror=alert(1)>');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(names).not.toContain('huge');
    expect(dashboard.store.registryStatus().state).toBe('synced');
    const diagnostics = dashboard.registry.diagnostics();
    expect(diagnostics.unrecognised.find((u) => u.prefix === '/config/')?.count).toBe(1);
  });
});
