import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '@/lib/model/registration';
import type { Instance } from '@/lib/model/instance';
import { listServices } from '@/lib/model/state';
import { createManualClock } from '@/tests/support/manual-clock';
import { createStore, type DecodedKey, type Store } from './store';

const registration = (service: string, id: string): Registration => ({ service, id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const key = (service: string, id: string): DecodedKey => ({ etcdKey: `/services/${service}/${id}`, lease: undefined, registrations: [registration(service, id)] });

let store: Store;
afterEach(() => store.close());

describe('store', () => {
  it('snapshot plus replayed deltas equals the live state', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
    store.upsertKey(key('users', 'a'));
    const first = store.snapshot();
    store.upsertKey(key('orders', 'x'));
    store.flush();
    store.setHealth('/services/orders/x', { status: 'critical', statusCause: 'HTTP 503' });
    store.removeKey('/services/users/a');
    store.flush();
    const replay = store.deltasSince(first.seq);
    expect(replay?.map((d) => d.seq)).toEqual([first.seq + 1, first.seq + 2]);
    const services = new Map(first.services.map((service) => [service.name, new Map(service.instances.map((i) => [i.key, i]))]));
    for (const change of (replay ?? []).flatMap((delta) => delta.changes)) {
      const name = change.op === 'upsert' ? change.instance.service : change.service;
      const instances = services.get(name) ?? new Map<string, Instance>();
      if (change.op === 'upsert') instances.set(change.instance.key, change.instance);
      else instances.delete(change.key);
      if (instances.size > 0) services.set(name, instances);
      else services.delete(name);
    }
    expect(listServices({ services })).toEqual(store.snapshot().services);
    expect(store.snapshot().services[0]?.instances[0]?.status).toBe('critical');
  });

  it('builds a snapshot once per change, whoever asks', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
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

  it('takes the revision of a relist along with its keys', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
    store.replaceAll([key('users', 'a')], new Map(), '20');
    expect(store.revision()).toBe('20');
    expect(store.snapshot()).toMatchObject({ revision: '20', services: [{ name: 'users' }] });
  });
});
