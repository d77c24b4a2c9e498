import { afterEach, describe, expect, it } from 'vitest';
import type { Delta } from '@/lib/model/live';
import type { Registration } from '@/lib/model/registration';
import { applyDelta, listServices, stateFromSnapshot } from '@/lib/model/state';
import { createStore, type DecodedKey, type Store } from './store';

const registration = (service: string, id: string, address = '127.0.0.1:1'): Registration => ({
  service, id, address, format: 'native', metadata: {},
});
const key = (service: string, id: string, lease?: string): DecodedKey => ({
  etcdKey: `/services/${service}/${id}`, lease, registrations: [registration(service, id)],
});

let store: Store;
afterEach(() => store.close());

describe('store', () => {
  it('sends a change after a quiet spell on the next tick, with the same tick\'s changes', async () => {
    store = createStore({ coalesceMs: 1_000 });
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    store.upsertKey(key('users', 'a'));
    store.upsertKey(key('users', 'b'));
    store.removeKey('/services/users/a');
    expect(deltas).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.seq).toBe(1);
    expect(deltas[0]?.changes.map((c) => c.op).sort()).toEqual(['remove', 'upsert']);
  });

  it('during a burst sends at most one delta per window, the last write per key winning', async () => {
    store = createStore({ coalesceMs: 300 });
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    store.upsertKey(key('users', 'a'));
    await new Promise((r) => setImmediate(r));
    expect(deltas).toHaveLength(1);
    for (let i = 0; i < 20; i += 1) {
      store.upsertKey({ ...key('users', 'b'), registrations: [registration('users', 'b', `127.0.0.1:${i + 1}`)] });
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(deltas.length).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 320));
    expect(deltas).toHaveLength(2);
    expect(deltas[1]?.changes).toHaveLength(1);
    const change = deltas[1]?.changes[0];
    expect(change?.op === 'upsert' ? change.instance.address : '').toBe('127.0.0.1:20');
  });

  it('emits nothing for a put that changes nothing', () => {
    store = createStore({ coalesceMs: 1000 });
    store.upsertKey(key('users', 'a'));
    store.flush();
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    store.upsertKey(key('users', 'a'));
    store.flush();
    expect(deltas).toHaveLength(0);
  });

  it('snapshot plus replayed deltas equals the live state', () => {
    store = createStore({ coalesceMs: 1000 });
    store.upsertKey(key('users', 'a'));
    const first = store.snapshot();
    store.upsertKey(key('orders', 'x'));
    store.flush();
    store.removeKey('/services/users/a');
    store.flush();
    const replay = store.deltasSince(first.seq);
    expect(replay?.map((d) => d.seq)).toEqual([first.seq + 1, first.seq + 2]);
    let state = stateFromSnapshot(first);
    for (const delta of replay ?? []) state = applyDelta(state, delta).state;
    expect(listServices(state)).toEqual(store.snapshot().services);
  });

  it('says a snapshot is needed once deltas fall out of the replay window', () => {
    store = createStore({ coalesceMs: 1000, replayCapacity: 2 });
    for (const id of ['a', 'b', 'c', 'd']) {
      store.upsertKey(key('users', id));
      store.flush();
    }
    expect(store.deltasSince(0)).toBeNull();
    expect(store.deltasSince(2)?.map((d) => d.seq)).toEqual([3, 4]);
    expect(store.deltasSince(4)).toEqual([]);
    expect(store.deltasSince(99)).toBeNull();
  });

  it('relist removes what vanished during a gap and keeps what stayed, emitting only differences', () => {
    store = createStore({ coalesceMs: 1000 });
    store.replaceAll([key('users', 'a'), key('users', 'b'), key('orders', 'x')], new Map(), '10');
    store.flush();
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    store.replaceAll([key('users', 'a'), key('payments', 'p')], new Map(), '20');
    store.flush();
    const changes = deltas.flatMap((d) => d.changes);
    expect(changes).toHaveLength(3);
    expect(changes.filter((c) => c.op === 'remove').map((c) => (c.op === 'remove' ? c.key : ''))).toEqual(
      expect.arrayContaining(['/services/users/b', '/services/orders/x']),
    );
    expect(store.snapshot().services.map((s) => s.name)).toEqual(['payments', 'users']);
    expect(store.revision()).toBe('20');
  });

  it('builds a snapshot once per change, whoever asks', () => {
    store = createStore({ coalesceMs: 1000 });
    store.upsertKey(key('users', 'a'));
    const first = store.snapshot();
    expect(store.snapshot()).toBe(first);
    store.setRevision('42');
    const afterRevision = store.snapshot();
    expect(afterRevision).not.toBe(first);
    expect(afterRevision.revision).toBe('42');
    store.setRegistryStatus({ state: 'unreachable', message: 'etcd unreachable' });
    expect(store.snapshot().registry.state).toBe('unreachable');
    store.upsertKey(key('users', 'b'));
    expect(store.snapshot().services[0]?.instances.map((instance) => instance.id)).toEqual(['a', 'b']);
  });

  it('attaches drains and lease TTLs to the instances they name', () => {
    store = createStore({ coalesceMs: 1000 });
    store.upsertKey(key('users', 'a', '77'));
    store.setDrain('users', 'a', { by: 'alice', reason: 'deploy', at: '2026-01-01T00:00:00Z' });
    store.setLeaseTtl('77', 10);
    const instance = store.snapshot().services[0]?.instances[0];
    expect(instance?.drain?.by).toBe('alice');
    expect(instance?.leaseTtl).toBe(10);
    store.setDrain('users', 'a', null);
    expect(store.snapshot().services[0]?.instances[0]?.drain).toBeNull();
  });

  it('gives each node of a multi-node key its own instance and drops nodes that go away', () => {
    store = createStore({ coalesceMs: 1000 });
    const twoNodes: DecodedKey = { etcdKey: '/micro/registry/users/n', lease: undefined, registrations: [registration('users', 'n1'), registration('users', 'n2')] };
    store.upsertKey(twoNodes);
    expect(store.instanceCount()).toBe(2);
    store.upsertKey({ ...twoNodes, registrations: [registration('users', 'n1')] });
    expect([...store.instances()].map((i) => i.key)).toEqual(['/micro/registry/users/n']);
  });

  it('announces registry status changes in a delta, keeping `since` while the state holds', () => {
    let clock = new Date('2026-01-01T00:00:00Z');
    store = createStore({ coalesceMs: 1000, now: () => clock });
    store.setRegistryStatus({ state: 'synced' });
    const deltas: Delta[] = [];
    store.subscribe((delta) => deltas.push(delta));
    clock = new Date('2026-01-01T00:05:00Z');
    store.setRegistryStatus({ state: 'unreachable', message: 'connection refused' });
    store.flush();
    clock = new Date('2026-01-01T00:06:00Z');
    store.setRegistryStatus({ state: 'unreachable', message: 'connection refused' });
    store.flush();
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.registry).toEqual({ state: 'unreachable', since: '2026-01-01T00:05:00.000Z', message: 'connection refused' });
  });

  it('keeps health across a re-registration and forgets it with the instance', () => {
    store = createStore({ coalesceMs: 1000 });
    store.upsertKey(key('users', 'a'));
    expect(store.instance('/services/users/a')).toMatchObject({ status: 'unknown', statusCause: 'not probed yet' });
    store.setHealth('/services/users/a', { status: 'critical', statusCause: 'HTTP 503', statusSince: 't1' });
    store.upsertKey({ ...key('users', 'a'), registrations: [registration('users', 'a', '127.0.0.1:2')] });
    expect(store.instance('/services/users/a')).toMatchObject({ status: 'critical', statusCause: 'HTTP 503', address: '127.0.0.1:2' });
    store.removeKey('/services/users/a');
    store.upsertKey(key('users', 'a'));
    expect(store.instance('/services/users/a')?.status).toBe('unknown');
    store.setHealth('/services/users/gone', { status: 'passing' });
    expect(store.instance('/services/users/gone')).toBeUndefined();
  });
});
