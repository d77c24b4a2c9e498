import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDiscovery, type Discovery } from '@/demo/discovery';
import { createEtcdClient } from '@/lib/server/etcd/client';
import type { Etcd3 } from 'etcd3';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { eventually } from '../support/server';

/** The demo's resolver (demo/discovery.ts) against a real etcd that stops and comes back. */
let etcd: TestEtcd;
/** Between the resolver and etcd, so a test can drop its link alone. */
let proxy: CuttableProxy;
let client: Etcd3;
let discovery: Discovery | undefined;
let lines: string[];

/** A native-format registration of users' instance `id` (only its key and address matter here). */
const register = (id: string, port: number): Promise<unknown> =>
  etcd.put(`/services/users/${id}`, JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0', zone: 'z', metadata: {}, health: { http: '/healthz' }, dependsOn: [] }));
const userIds = (): string => (discovery?.endpoints('users') ?? []).map((endpoint) => endpoint.id).join(',');

/** Watchers etcd holds open (its own gauge): the resolver's, nobody else's in these tests. */
async function etcdWatchers(): Promise<number> {
  const text = await (await fetch(`${etcd.endpoint}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('etcd_debugging_mvcc_watcher_total '));
  return Number(line?.split(' ')[1]);
}
/** The retry delays the resolver announced, in seconds. */
const announcedRetries = (): number[] => lines.flatMap((line) => /retrying in ([\d.]+) s/.exec(line)?.[1] ?? []).map(Number);

beforeEach(async () => {
  etcd = await startEtcd();
  proxy = await startProxy(etcd.endpoint);
  // The demo's own client (demo/main.ts): short deadlines, watches re-created every 250 ms.
  client = createEtcdClient({ endpoints: [proxy.endpoint] });
  lines = [];
  discovery = await startDiscovery({ client, prefixes: ['/services/users/'], controlPrefix: '/switchyard/', log: (line) => lines.push(line) });
  await register('users-1', 1001);
  await eventually(() => (userIds() === 'users-1' ? true : undefined), 5_000, 'users-1 resolved');
});
afterEach(async () => {
  await discovery?.stop();
  discovery = undefined;
  client.close();
  await proxy.close();
  await etcd.stop();
});

describe('the demo resolver when etcd stops and restarts', () => {
  it('follows etcd again by its watches alone: they resume where they were', async () => {
    await etcd.local.stop(true);
    await etcd.local.restart();
    await register('users-2', 1002);
    await etcd.delete('/services/users/users-1');
    await eventually(() => (userIds() === 'users-2' ? true : undefined), 5_000, 'users-2 alone');
    expect(lines).toEqual([]);
    await expect.poll(etcdWatchers).toBe(2);
  });

  it('reads etcd afresh when its watches cannot resume: what changed while its link was down was compacted away', async () => {
    proxy.cut();
    await register('users-2', 1002);
    await etcd.delete('/services/users/users-1');
    const { header } = await etcd.client.get('/services/users/users-2').exec();
    await etcd.client.kv.compact({ revision: header.revision, physical: true });
    proxy.restore();
    await eventually(() => (userIds() === 'users-2' ? true : undefined), 5_000, 'users-2 alone');
    expect(lines).toEqual([]);
    await expect.poll(etcdWatchers).toBe(2);
  });

  it('reconnected while etcd is down, retries its read at growing intervals up to 5 s and follows etcd once it is back', async () => {
    // lose-etcd-all's revert while etcd itself is away: the resolver reconnects to nobody.
    await discovery?.cutOff();
    await etcd.local.stop(true);
    await discovery?.reconnect();
    await eventually(() => (announcedRetries().includes(5) ? true : undefined), 15_000, 'a retry at the 5 s bound');
    expect(announcedRetries().slice(0, 5)).toEqual([0.5, 1, 2, 4, 5]);
    expect(lines[0]).toMatch(/^discovery: reading etcd failed after reconnect \(.*\); retrying in 0\.5 s$/);
    // Still the endpoints last known meanwhile: callers go on calling them.
    expect(userIds()).toBe('users-1');
    await etcd.local.restart();
    await register('users-2', 1002);
    await etcd.delete('/services/users/users-1');
    const backAt = Date.now();
    await eventually(() => (userIds() === 'users-2' ? true : undefined), 10_000, 'users-2 alone');
    expect(Date.now() - backAt).toBeLessThan(5_000 + 2_000);
    // One watch per prefix (users, drains), the second created just after the first: the retries left none behind.
    await expect.poll(etcdWatchers).toBe(2);
  });

  it('stopped while retrying, tries no more: once etcd is back it holds no watch and says nothing', async () => {
    await discovery?.cutOff();
    await etcd.local.stop(true);
    await discovery?.reconnect();
    await eventually(() => (announcedRetries().length >= 2 ? true : undefined), 10_000, 'two retries announced');
    await discovery?.stop();
    const announced = lines.length;
    await etcd.local.restart();
    // Nothing can be awaited for what must not happen: wait out the longest retry delay, and a little more.
    await sleep(5_000 + 1_000);
    expect(await etcdWatchers()).toBe(0);
    expect(lines).toHaveLength(announced);
  });
});
