import { afterEach, describe, expect, it } from 'vitest';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { listPrefix } from '@/lib/server/registry/listing';
import { createLineageBook, lineageKey, resolveLineage, type LineageBook } from '@/lib/server/registry/lineage';
import { startEtcd, SWITCHYARD_ETCD_USER, type TestEtcd } from '../support/etcd';

const CONTROL = '/switchyard/';
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});

const etcdFor = async (options?: Parameters<typeof startEtcd>[0]): Promise<TestEtcd> => {
  const etcd = await startEtcd(options);
  cleanup.push(() => etcd.stop());
  return etcd;
};

/** Lists the control prefix as the registry does (with the rest) and resolves its lineage with `book`. */
async function resolveWith(client: Etcd3, book: LineageBook, newId?: () => string) {
  const page = await listPrefix(client, CONTROL, undefined);
  const marker = page.kvs.find((kv) => kv.key.toString() === lineageKey(CONTROL));
  const resolved = await resolveLineage({ client, controlPrefix: CONTROL, marker, clusterId: page.clusterId, revision: page.revision, book, ...(newId ? { newId } : {}) });
  book.record(resolved.lineage, page.clusterId, page.revision);
  return { ...resolved, clusterId: page.clusterId, revision: page.revision };
}

describe('etcd lineage marker', () => {
  it('is written once, kept while etcd moves forward, and replaced once when the keyspace is behind what it reached', async () => {
    const etcd = await etcdFor();
    const book = createLineageBook([]);
    const first = await resolveWith(etcd.client, book);
    // The first lineage a database knows is named after the cluster: older history keeps its keys.
    expect(first.lineage).toBe(first.clusterId);
    expect((await etcd.client.get(lineageKey(CONTROL)).string()) ?? '').toBe(first.clusterId);
    await etcd.put('/services/a/a-1', '{"address":"127.0.0.1:1"}');
    expect((await resolveWith(etcd.client, book)).lineage).toBe(first.lineage);

    // Another dashboard's database saw this lineage further along: to it, this keyspace was restored.
    const ahead = createLineageBook([[first.lineage, { clusterId: first.clusterId, highestRevision: '1000000', seenMs: 0 }]]);
    const [one, two] = await Promise.all([resolveWith(etcd.client, ahead, () => 'rotated-one'), resolveWith(etcd.client, createLineageBook(ahead.all()), () => 'rotated-two')]);
    expect(one.lineage).toBe(two.lineage);
    expect(['rotated-one', 'rotated-two']).toContain(one.lineage);
    expect(one.change ?? two.change).toMatch(/restored or copied/);
    expect(await etcd.client.get(lineageKey(CONTROL)).string()).toBe(one.lineage);

    await etcd.delete(lineageKey(CONTROL));
    const fresh = await resolveWith(etcd.client, book, () => 'after-delete');
    expect(fresh.lineage).toBe('after-delete');
  });

  it('falls back to a lineage of its own when the marker cannot be written', async () => {
    const auth = { rootPassword: 'root-secret', password: 'switchyard-secret', readPrefixes: ['/services/', CONTROL], controlPrefix: '/elsewhere/' };
    const etcd = await etcdFor({ auth });
    const readOnly = createEtcdClient({ endpoints: [etcd.endpoint], username: SWITCHYARD_ETCD_USER, password: auth.password });
    cleanup.push(() => Promise.resolve(readOnly.close()));
    const book = createLineageBook([]);
    const first = await resolveWith(readOnly, book);
    expect(first.lineage).toBe(first.clusterId);
    expect(await etcd.client.get(lineageKey(CONTROL)).string()).toBeNull();
    await etcd.put('/services/a/a-1', '{"address":"127.0.0.1:1"}');
    expect((await resolveWith(readOnly, book)).lineage).toBe(first.lineage);

    // Behind what this cluster's lineage reached: a restore, so a new lineage of our own.
    const ahead = createLineageBook([[first.lineage, { clusterId: first.clusterId, highestRevision: '1000000', seenMs: 0 }]]);
    const restored = await resolveWith(readOnly, ahead, () => 'local');
    expect(restored.lineage).toBe(`${first.clusterId}-local`);
    expect((await resolveWith(readOnly, ahead, () => 'another')).lineage).toBe(`${first.clusterId}-local`);
  });
});
