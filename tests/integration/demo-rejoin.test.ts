import type { Etcd3 } from 'etcd3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startInstance, type RunningInstance } from '@/demo/instance';
import type { ServicePlan } from '@/demo/plan';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually } from '../support/server';

/** One demo instance (demo/instance.ts) registered through a proxy that can cut it off from a real etcd. */
const PLAN: ServicePlan = { service: 'users', format: 'native', instances: 1, latency: { medianMs: 1, sigma: 0.1 }, calls: [] };

let etcd: TestEtcd;
let proxy: CuttableProxy;
let client: Etcd3;
let instance: RunningInstance | undefined;

beforeEach(async () => {
  etcd = await startEtcd();
  proxy = await startProxy(etcd.endpoint);
  client = createEtcdClient({ endpoints: [proxy.endpoint] });
});
afterEach(async () => {
  await instance?.stop();
  instance = undefined;
  client.close();
  await proxy.close();
  await etcd.stop();
});

it('whose rejoin etcd refused says it is in etcd once its registrar has registered it again by itself', async () => {
  instance = await startInstance({
    client,
    plan: PLAN,
    registration: { service: 'users', id: 'users-1', version: '1.0.0', zone: 'eu-west-1a', dependsOn: [], metadata: {} },
    ttlSeconds: 2,
    work: () => Promise.resolve(200),
    background: () => () => undefined,
    log: () => undefined,
  });
  expect(instance.isInEtcd()).toBe(true);
  instance.loseEtcd();
  proxy.cut();
  // The lease cannot be granted: etcd3 says so ('lost') as well as rejecting, and the registrar tries again a second later.
  await expect(instance.rejoinEtcd()).rejects.toThrow();
  expect(instance.isInEtcd()).toBe(false);
  // The key it had goes with its released lease: one seen after this is the registrar's new one.
  await eventually(async () => ((await etcd.etcdctlKeys('/services/users/')).length === 0 ? true : undefined), 10_000, 'the old key expired');
  proxy.restore();
  await eventually(async () => ((await etcd.etcdctlKeys('/services/users/')).length > 0 ? true : undefined), 15_000, 'users-1 registered again');
  expect(instance.isInEtcd()).toBe(true);
});
