import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { createMembership, type Membership } from '@/lib/server/cluster/membership';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually } from '../support/server';

/**
 * One replica's membership (lib/server/cluster/membership.ts) cut off from etcd while etcd compacts
 * the revisions its watch would resume from: etcd cancels the watch when it comes back.
 */
let etcd: TestEtcd;
let proxy: CuttableProxy;
let client: Etcd3;
let membership: Membership | undefined;

beforeEach(async () => {
  etcd = await startEtcd();
  proxy = await startProxy(etcd.endpoint);
  client = createEtcdClient({ endpoints: [proxy.endpoint] });
});
afterEach(async () => {
  await membership?.stop();
  membership = undefined;
  client.close();
  await proxy.close();
  await etcd.stop();
});

it('whose watch etcd cancels because its revision was compacted during a cut says so, opens it again, leads again and follows later members', async () => {
  const lines: string[] = [];
  membership = createMembership({ client, controlPrefix: '/switchyard/', ttlSeconds: 5, id: 'replica-a', log: (line) => lines.push(line) });
  await membership.start();
  expect(membership.isLeader()).toBe(true);
  proxy.cut();
  // Revisions the watch has not seen, then compacted away.
  for (let index = 0; index < 20; index += 1) await etcd.client.put(`/other/${index}`).value('x');
  const { header } = await etcd.client.get('/other/0').exec();
  await etcd.etcdctl('compact', header.revision);
  proxy.restore();
  await eventually(() => (lines.some((line) => line.startsWith('replica membership: watch ended')) ? true : undefined), 10_000, 'the watch ended');
  // '… in 1 s' when the cut came within a second of the watch's opening.
  expect(lines.find((line) => line.startsWith('replica membership: watch ended'))).toMatch(
    /^replica membership: watch ended \(etcd cancelled it without a reason, as it does when the revision it resumes from is compacted\); listing again( in 1 s)?$/,
  );
  await eventually(() => (membership?.isLeader() ? true : undefined), 10_000, 'leading again');
  await etcd.client.put('/switchyard/replicas/replica-z').value(JSON.stringify({ host: 'host', pid: 1, startedAt: '2026-01-01T00:00:00.000Z' }));
  await eventually(() => (membership?.members().some(({ id }) => id === 'replica-z') ? true : undefined), 5_000, 'replica-z followed');
  expect(membership.members().map(({ id }) => id)).toEqual(['replica-a', 'replica-z']);
  expect(membership.isLeader()).toBe(true);
});
