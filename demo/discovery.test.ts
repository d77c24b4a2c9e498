import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Registration } from '@/lib/model/registration';
import { createEndpointTable, startDiscovery } from './discovery';

const registration = (id: string, extra: Partial<Registration> = {}): Registration => ({
  service: 'users',
  id,
  address: `127.0.0.1:${1000 + Number(id.slice(-1))}`,
  format: 'go-zero',
  metadata: {},
  ...extra,
});

describe('createEndpointTable', () => {
  it('lists a service’s registered instances and forgets removed keys', () => {
    const table = createEndpointTable();
    table.put('users/1', [registration('u1')]);
    table.put('users/2', [registration('u2')]);
    table.put('orders/1', [registration('o1', { service: 'orders' })]);
    expect(table.endpoints('users', 0).map((e) => e.id)).toEqual(['u1', 'u2']);
    table.remove('users/1');
    expect(table.endpoints('users', 0)).toEqual([{ service: 'users', id: 'u2', address: '127.0.0.1:1002' }]);
  });

  it('skips drained instances until the drain is lifted or expires', () => {
    const table = createEndpointTable();
    table.put('users/1', [registration('u1')]);
    table.put('users/2', [registration('u2')]);
    table.drain('users', 'u1', undefined);
    table.drain('users', 'u2', 1_000);
    expect(table.endpoints('users', 500)).toEqual([]);
    expect(table.endpoints('users', 1_000).map((e) => e.id)).toEqual(['u2']);
    table.undrain('users', 'u1');
    expect(table.endpoints('users', 500).map((e) => e.id)).toEqual(['u1']);
  });

  it('honours a framework’s own offline marker', () => {
    const table = createEndpointTable();
    table.put('/rpcx/users/tcp@x', [registration('u1', { offline: true })]);
    expect(table.endpoints('users', 0)).toEqual([]);
  });
});

/** An etcd client the test answers by hand: each range read waits until answered (empty) or refused, in any order; watches are bare emitters. */
function scriptedEtcd() {
  const reads: { resolve: (response: unknown) => void; reject: (error: Error) => void }[] = [];
  const watchers: EventEmitter[] = [];
  const builder = {
    prefix: () => builder,
    startRevision: () => builder,
    watcher: () => {
      const watcher = Object.assign(new EventEmitter(), { cancel: () => Promise.resolve() });
      watchers.push(watcher);
      return watcher;
    },
  };
  const client = {
    kv: { range: () => new Promise((resolve, reject) => reads.push({ resolve, reject })) },
    watch: () => builder,
  } as unknown as Etcd3;
  /** Takes the waiting read at `index` (0: the oldest). */
  const take = (index: number) => {
    const [read] = reads.splice(index, 1);
    if (!read) throw new Error(`no read waiting at ${index}`);
    return read;
  };
  return {
    client,
    watchers,
    waiting: () => reads.length,
    answer: (index = 0) => take(index).resolve({ kvs: [], more: false, count: '0', header: { revision: '7', cluster_id: '1' } }),
    refuse: (index = 0) => take(index).reject(new Error('UNAVAILABLE')),
  };
}

describe('startDiscovery', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the retry delay of reads after a reconnect when a read begun before the cut-off ends well beside them', async () => {
    vi.useFakeTimers();
    const etcd = scriptedEtcd();
    const lines: string[] = [];
    const starting = startDiscovery({ client: etcd.client, prefixes: ['/services/users/'], controlPrefix: '/switchyard/', log: (line) => lines.push(line) });
    // The first read: the users prefix, then the drain prefix.
    for (let page = 0; page < 2; page += 1) {
      await vi.advanceTimersByTimeAsync(0);
      etcd.answer();
    }
    const discovery = await starting;
    // A watch error: a read begins 0.5 s later and waits on etcd.
    etcd.watchers[0]?.emit('error', new Error('compacted'));
    await vi.advanceTimersByTimeAsync(500);
    expect(etcd.waiting()).toBe(1);
    // lose-etcd-all and its revert while that read is in flight: the new generation reads beside it.
    await discovery.cutOff();
    const reconnecting = discovery.reconnect();
    await vi.advanceTimersByTimeAsync(0);
    expect(etcd.waiting()).toBe(2);
    // The new read is refused (next retry in 0.5 s, then 1 s); then the stale read ends well.
    etcd.refuse(1);
    await reconnecting;
    etcd.answer(0);
    await vi.advanceTimersByTimeAsync(0);
    etcd.answer(0);
    await vi.advanceTimersByTimeAsync(0);
    // The retry, refused again, announces twice the wait: the stale read's success did not reset it.
    await vi.advanceTimersByTimeAsync(500);
    etcd.refuse(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(lines.map((line) => /retrying in ([\d.]+) s/.exec(line)?.[1])).toEqual(['0.5', '1']);
    expect(etcd.watchers).toHaveLength(2);
    await discovery.stop();
  });
});
