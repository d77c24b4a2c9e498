import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { createMembership, type Membership } from '@/lib/server/cluster/membership';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually } from '../support/server';

/** One replica's membership (lib/server/cluster/membership.ts) while its etcd is down past the lease's end. */
const TTL_SECONDS = 2;

let etcd: TestEtcd;
let client: Etcd3;
let membership: Membership | undefined;

beforeEach(async () => {
  etcd = await startEtcd();
  client = createEtcdClient({ endpoints: etcd.endpoints });
});
afterEach(async () => {
  await membership?.stop();
  membership = undefined;
  client.close();
  await etcd.stop();
});

it('whose lease is lost while etcd is down tries to join again once a second, not in a loop, and joins once etcd is back', async () => {
  const lines: { at: number; line: string }[] = [];
  membership = createMembership({ client, controlPrefix: '/switchyard/', ttlSeconds: TTL_SECONDS, id: 'replica-a', log: (line) => lines.push({ at: Date.now(), line }) });
  await membership.start();
  expect(membership.isLeader()).toBe(true);
  // Refused at once, as a stopped etcd is: each failed join is over in a millisecond.
  await etcd.local.stop(true);
  const failedJoins = (): { at: number; line: string }[] => lines.filter(({ line }) => line.startsWith('replica membership: joining again failed'));
  // The lease is lost 2 TTLs after the last keep-alive; three failed joins after it take two retry delays.
  await eventually(() => (failedJoins().length >= 3 ? true : undefined), 4 * TTL_SECONDS * 1_000 + 5_000, 'three failed joins');
  const [first, second, third] = failedJoins();
  expect(lines.filter(({ line }) => line.startsWith('replica membership lease lost'))).toHaveLength(1);
  expect(first?.line).toMatch(/^replica membership: joining again failed \(.*\); trying again in 1 s$/);
  expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect(membership.isLeader()).toBe(false);
  await etcd.local.restart();
  await eventually(() => (membership?.isLeader() ? true : undefined), 5_000, 'leading again');
  expect(await etcd.etcdctlKeys('/switchyard/replicas/')).toEqual(['/switchyard/replicas/replica-a']);
});
