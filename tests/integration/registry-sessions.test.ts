import { afterEach, describe, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createRegistry, type Registry } from '@/lib/server/registry/sync';
import { createStore, type Store } from '@/lib/server/store/store';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy } from '../support/proxy';
import { eventually } from '../support/server';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const native = (port: number): string => JSON.stringify({ address: `127.0.0.1:${port}` });

/**
 * A dashboard whose heartbeat asks the real etcd, but whose answer can be held back: a slow reply
 * that arrives after the world moved on.
 */
async function startDashboard(endpoint: string) {
  const client: Etcd3 = createEtcdClient({ endpoints: [endpoint] });
  const store: Store = createStore({ coalesceMs: 20 });
  let relists = 0;
  let statusCalls = 0;
  let holdNext = false;
  const held: Array<() => void> = [];
  const registry: Registry = createRegistry({
    client,
    store,
    prefixes: [],
    controlPrefix: '/switchyard/',
    counters: { watchEvents: () => undefined, relists: () => (relists += 1) },
    log: () => undefined,
    heartbeatMs: 50,
    etcdStatus: async () => {
      const { header } = await client.maintenance.status();
      const answer = { clusterId: header.cluster_id, revision: header.revision };
      if (holdNext) {
        holdNext = false;
        await new Promise<void>((resolve) => held.push(resolve));
      }
      statusCalls += 1;
      return answer;
    },
  });
  registry.start();
  cleanup.push(async () => {
    for (const release of held) release();
    await registry.stop();
    store.close();
    client.close();
  });
  await registry.synced();
  return {
    store,
    relists: () => relists,
    statusCalls: () => statusCalls,
    /** Holds the next heartbeat's answer; resolves once one is held, with its release. */
    async holdNextAnswer(): Promise<() => void> {
      holdNext = true;
      return eventually(() => held.shift(), 5_000, 'a heartbeat answer held back');
    },
  };
}

const etcdFor = async (): Promise<TestEtcd> => {
  const etcd = await startEtcd();
  cleanup.push(() => etcd.stop());
  return etcd;
};

/** Lets the running session's own heartbeat answer a few more times. */
const moreHeartbeats = (dashboard: { statusCalls(): number }, count: number) => {
  const target = dashboard.statusCalls() + count;
  return eventually(() => (dashboard.statusCalls() >= target ? true : undefined), 5_000, `${count} more heartbeats`);
};

describe('watch sessions', () => {
  it('a heartbeat answer from an ended session (the previous cluster) does not end the next session', async () => {
    const first = await etcdFor();
    const second = await etcdFor();
    await second.put('/services/second/s-1', native(9_002));
    const proxy = await startProxy(first.endpoint);
    cleanup.push(() => proxy.close());
    const dashboard = await startDashboard(proxy.endpoint);
    const release = await dashboard.holdNextAnswer();
    proxy.cut();
    proxy.restore(second.endpoint);
    await eventually(() => ([...dashboard.store.instances()].some((i) => i.id === 's-1') && dashboard.store.registryStatus().state === 'synced' ? true : undefined), 5_000, 'the next session on the second cluster');
    const relistsBefore = dashboard.relists();
    release();
    await moreHeartbeats(dashboard, 3);
    expect(dashboard.relists()).toBe(relistsBefore);
    expect(dashboard.store.registryStatus().state).toBe('synced');
  });

  it('a heartbeat answer overtaken by the watch is not mistaken for etcd going back in time', async () => {
    const etcd = await etcdFor();
    const dashboard = await startDashboard(etcd.endpoint);
    const release = await dashboard.holdNextAnswer();
    for (let i = 0; i < 20; i += 1) await etcd.put(`/services/moving/m-${i}`, native(9_100 + i));
    await eventually(() => (dashboard.store.instanceCount() === 20 ? true : undefined), 5_000, 'the watch to deliver the writes');
    release();
    await moreHeartbeats(dashboard, 3);
    expect(dashboard.relists()).toBe(1);
  });
});
