import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { IKeyValue } from 'etcd3';
import { listPages } from '@/lib/server/registry/listing';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';

let etcd: TestEtcd;
beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd.stop();
});

async function putMany(prefix: string, count: number, value: Buffer): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const ops = Array.from({ length: Math.min(100, count - start) }, (_, i) => ({
      request_put: { key: Buffer.from(`${prefix}${String(start + i).padStart(6, '0')}`), value },
    }));
    await etcd.client.kv.txn({ compare: [], success: ops });
  }
}

describe('paged listing against a real etcd', () => {
  it('lists every key once, at the revision asked for, in pages that grow', async () => {
    // A prefix of its own per attempt: a retry's listing would hold the first attempt's late key.
    const prefix = `${perAttempt('/list/grow')}/`;
    await putMany(prefix, 12_000, Buffer.from('{"address":"127.0.0.1:1"}'));
    const { header } = await etcd.client.kv.range({ key: Buffer.from(prefix), limit: '1' });
    await etcd.client.put(`${prefix}~late`).value('x').exec();
    const pages: number[] = [];
    const keys: string[] = [];
    const listed = await listPages(etcd.client, prefix, header.revision, (kvs: IKeyValue[]) => {
      pages.push(kvs.length);
      for (const kv of kvs) keys.push(kv.key.toString());
    });
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[1]).toBeGreaterThan(pages[0] ?? Infinity);
    expect(keys).toHaveLength(12_000);
    expect(new Set(keys).size).toBe(12_000);
    // Written after the revision asked for: every page is read at that revision.
    expect(keys).not.toContain(`${prefix}~late`);
    expect(listed.revision).toBe(header.revision);
  });

  it('halves a page the client cannot receive, and still lists every key once', async () => {
    const prefix = `${perAttempt('/list/big')}/`;
    await putMany(prefix, 60, Buffer.alloc(4 * 1024, 0x61));
    // 64 KiB receive limit: the first page (every key, ~240 KiB) is refused until it is small enough.
    // No circuit breaker, as in the product's client (lib/server/etcd/client.ts): a refused page is not an outage.
    const small = new Etcd3({ hosts: etcd.endpoint, faultHandling: { host: () => noop, global: noop }, grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 } });
    try {
      const keys: string[] = [];
      await listPages(small, prefix, undefined, (kvs) => {
        for (const kv of kvs) keys.push(kv.key.toString());
      });
      expect(keys).toHaveLength(60);
      expect(new Set(keys).size).toBe(60);
    } finally {
      small.close();
    }
  });
});
