import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '@/lib/model/registration';
import { applyServiceDelta, applySummaryDelta, serviceViewFromSnapshot, summariesOf, summaryViewFromSnapshot } from '@/lib/model/views';
import { createManualClock } from '@/tests/support/manual-clock';
import { createStore, type DecodedKey, type Store, type ViewDelta } from './store';

const registration = (service: string, id: string): Registration => ({ service, id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const key = (service: string, id: string): DecodedKey => ({ etcdKey: `/services/${service}/${id}`, lease: undefined, registrations: [registration(service, id)] });

let store: Store;
afterEach(() => store.close());

describe('store views', () => {
  it('splits each delta into the summaries that changed and each service\'s changes', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
    store.upsertKey(key('users', 'a'));
    store.upsertKey(key('orders', 'x'));
    store.flush();
    const seen: ViewDelta[] = [];
    store.subscribeViews((delta) => seen.push(delta));
    store.setHealth('/services/orders/x', { status: 'critical', statusCause: 'HTTP 503' });
    store.flush();
    // A lease TTL changes the instance but not the summary: a service delta, no summary delta.
    store.upsertKey({ ...key('users', 'a'), lease: '7' });
    store.flush();
    store.removeKey('/services/users/a');
    store.flush();
    expect(seen.map((d) => ({ upserts: d.summaryUpserts.map((s) => `${s.name}:${s.status}`), removes: d.summaryRemoves, services: [...d.changesByService.keys()] }))).toEqual([
      { upserts: ['orders:critical'], removes: [], services: ['orders'] },
      { upserts: [], removes: [], services: ['users'] },
      { upserts: [], removes: ['users'], services: ['users'] },
    ]);
  });

  it('serves a summary snapshot without instances, built once per change', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
    store.upsertKey(key('users', 'a'));
    store.upsertKey(key('orders', 'x'));
    const first = store.summarySnapshot();
    expect(first.services.map((s) => s.name)).toEqual(['orders', 'users']);
    expect(JSON.stringify(first)).not.toContain('127.0.0.1');
    expect(store.summarySnapshot()).toBe(first);
    store.upsertKey(key('users', 'b'));
    expect(store.summarySnapshot().services.find((s) => s.name === 'users')?.instances).toBe(2);
  });

  it('a summary catch-up plus later deltas equals the summaries, and null once the log no longer reaches back', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock(), replayCapacity: 3 });
    store.upsertKey(key('users', 'a'));
    store.upsertKey(key('orders', 'x'));
    const first = store.summarySnapshot();
    store.setHealth('/services/orders/x', { status: 'critical', statusCause: 'HTTP 503' });
    store.flush();
    store.removeKey('/services/users/a');
    store.upsertKey(key('billing', 'b'));
    store.flush();
    const catchUp = store.summaryCatchUp(first.seq);
    expect(catchUp).toMatchObject({ seq: first.seq + 2, removes: ['users'] });
    expect(catchUp?.upserts.map((s) => s.name)).toEqual(['billing', 'orders']);
    const { view } = applySummaryDelta(summaryViewFromSnapshot(first), { ...(catchUp ?? { seq: 0, revision: '', upserts: [], removes: [] }), prev: first.seq });
    expect(summariesOf(view)).toEqual(store.summarySnapshot().services);
    for (let index = 0; index < 4; index++) {
      store.upsertKey(key('billing', `n${index}`));
      store.flush();
    }
    expect(store.summaryCatchUp(first.seq)).toBeNull();
  });

  it('a service snapshot holds that service only; its catch-up brings removed and changed instances', () => {
    store = createStore({ coalesceMs: 1000, clock: createManualClock() });
    store.upsertKey(key('users', 'b'));
    store.upsertKey(key('users', 'a'));
    store.upsertKey(key('orders', 'x'));
    const first = store.serviceSnapshot('users');
    expect(first.instances.map((i) => i.id)).toEqual(['a', 'b']);
    expect(store.serviceSnapshot('nobody').instances).toEqual([]);
    store.removeKey('/services/users/a');
    store.setHealth('/services/users/b', { status: 'passing' });
    store.setHealth('/services/orders/x', { status: 'passing' });
    store.flush();
    const catchUp = store.serviceCatchUp('users', first.seq);
    expect(catchUp?.changes).toHaveLength(2);
    const { view } = applyServiceDelta(serviceViewFromSnapshot(first), { service: 'users', prev: first.seq, ...(catchUp ?? { seq: 0, revision: '', changes: [] }) });
    expect([...view.instances.values()]).toEqual(store.serviceSnapshot('users').instances);
  });
});
