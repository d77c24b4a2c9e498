import { afterEach, describe, expect, it } from 'vitest';
import type { Departure } from '@/lib/model/status/lost';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createRegistry } from '@/lib/server/registry/sync';
import { createStore } from '@/lib/server/store/store';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy } from '../support/proxy';
import { eventually } from '../support/server';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const native = (port: number): string => JSON.stringify({ address: `127.0.0.1:${port}` });

/** A registry on a real etcd that records every key handed to the lost tracker, with its lease verdict. */
async function startDashboard(endpoint: string) {
  const client = createEtcdClient({ endpoints: [endpoint] });
  const store = createStore({ coalesceMs: 0 });
  const going = new Map<string, Departure['lease']>();
  const registry = createRegistry({
    client,
    store,
    prefixes: [],
    controlPrefix: '/switchyard/',
    counters: { watchEvents: () => undefined, relists: () => undefined },
    log: () => undefined,
    retryMs: 100,
    heartbeatMs: 100,
    onKeyGoing: (etcdKey, leaseAfter) => void leaseAfter.then((lease) => going.set(etcdKey, lease)),
  });
  registry.start();
  cleanup.push(async () => {
    await registry.stop();
    store.close();
    client.close();
  });
  await registry.synced();
  return { store, going };
}

const etcdFor = async (): Promise<TestEtcd> => {
  const etcd = await startEtcd();
  cleanup.push(() => etcd.stop());
  return etcd;
};

describe('keys handed to the lost tracker, with the lease verdict history uses', () => {
  it('judges the lease of a key whose name has escapes (invalid UTF-8, a backslash before x): expired is "gone"', async () => {
    const etcd = await etcdFor();
    const dashboard = await startDashboard(etcd.endpoint);
    const key = Buffer.concat([Buffer.from('/services/u8/a\\x'), Buffer.from([0xff])]);
    const lease = etcd.client.lease(2, { autoKeepAlive: false });
    await lease.put(key).value(native(9_301));
    const [instance] = await eventually(() => {
      const found = [...dashboard.store.instances()];
      return found.length === 1 ? found : undefined;
    }, 5_000, 'the escaped key listed');
    const name = instance?.key ?? '';
    expect(name).toBe('/services/u8/a\\\\x\\xff');
    const verdict = await eventually(() => dashboard.going.get(name), 15_000, 'the key handed over once its lease ran out');
    expect(verdict).toBe('gone');
  });

  it('hands over a key deleted while etcd was unreachable, once the relist no longer finds it', async () => {
    const etcd = await etcdFor();
    const proxy = await startProxy(etcd.endpoint);
    cleanup.push(() => proxy.close());
    const dashboard = await startDashboard(proxy.endpoint);
    await etcd.put('/services/gap/g-1', native(9_401), 2);
    await etcd.put('/services/gap/g-2', native(9_402));
    await eventually(() => (dashboard.store.instanceCount() === 2 ? true : undefined), 5_000, 'both keys listed');
    proxy.cut();
    await eventually(() => (dashboard.store.registryStatus().state === 'unreachable' ? true : undefined), 10_000, 'the outage noticed');
    // The lease runs out in etcd while the dashboard cannot see it.
    await eventually(async () => ((await etcd.client.get('/services/gap/g-1').exec()).kvs.length === 0 ? true : undefined), 15_000, 'the lease expired in etcd');
    expect(dashboard.going.size).toBe(0);
    proxy.restore();
    const verdict = await eventually(() => dashboard.going.get('/services/gap/g-1'), 15_000, 'g-1 handed over after the relist');
    expect(verdict).toBe('gone');
    expect([...dashboard.going.keys()]).toEqual(['/services/gap/g-1']);
  });
});
