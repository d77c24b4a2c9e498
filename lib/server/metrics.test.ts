import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from './metrics';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from './store/store';

let store: Store;
afterEach(() => store.close());

describe('metrics', () => {
  it('counts registered instances in switchyard_instances_known, not lost instances kept on screen', async () => {
    store = createStore({ coalesceMs: 0 });
    const registration = (id: string) => ({ service: 'users', id, address: `10.0.0.${id.length}:80`, format: 'native' as const, metadata: {} });
    store.upsertKey({ etcdKey: '/s/users/a', lease: '7', registrations: [registration('a')] });
    const lost = { at: '2026-12-03T09:32:31.000Z', cause: 'lease expired at 09:32:41 UTC', passingBefore: 2 };
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/s/users/bb`, lease: undefined, registrations: [{ ...registration('bb'), lost }] });
    const { registry } = createMetrics(store);
    const gauge = (await registry.getSingleMetric('switchyard_instances_known')?.get())?.values[0]?.value;
    expect(gauge).toBe(1);
  });
});
