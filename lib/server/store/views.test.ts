import { afterEach, describe, expect, it } from 'vitest';
import type { Registration } from '@/lib/model/registration';
import { applyServiceDelta, applySummaryDelta, serviceViewFromSnapshot, summariesOf, summaryViewFromSnapshot } from '@/lib/model/views';
import { createManualClock } from '@/tests/support/manual-clock';
import { createStore, type DecodedKey, type Store, type ViewDelta } from './store';
import type { Instance } from '@/lib/model/instance';
import { createDeltaLog } from './delta-log';
import { createViewIndex, MAX_SUMMARY_WINDOW_MS, SUMMARY_WINDOW_MS, SUMMARY_WINDOW_PASSES } from './views';

const registration = (service: string, id: string): Registration => ({ service, id, address: '127.0.0.1:1', format: 'native', metadata: {} });
const key = (service: string, id: string): DecodedKey => ({ etcdKey: `/services/${service}/${id}`, lease: undefined, registrations: [registration(service, id)] });

let store: Store;
afterEach(() => store.close());

describe('store views', () => {
  it('sends each delta\'s changes to its services at once, and then the summaries that changed', () => {
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
      { upserts: [], removes: [], services: ['orders'] },
      { upserts: ['orders:critical'], removes: [], services: [] },
      { upserts: [], removes: [], services: ['users'] },
      { upserts: [], removes: [], services: ['users'] },
      { upserts: [], removes: ['users'], services: [] },
    ]);
  });

  it('summarises a service once per window in a burst, while its changes go out with every delta', () => {
    const clock = createManualClock();
    store = createStore({ coalesceMs: 0, clock });
    store.upsertKey(key('orders', 'x0'));
    store.flush();
    clock.advance(SUMMARY_WINDOW_MS);
    const seen: ViewDelta[] = [];
    store.subscribeViews((delta) => seen.push(delta));
    const summaries = (): number[] => seen.flatMap((d) => d.summaryUpserts.map((s) => s.instances));
    const serviceDeltas = (): number => seen.filter((d) => d.changesByService.size > 0).length;
    // After a quiet spell the first change's summary leaves on the next tick…
    store.upsertKey(key('orders', 'x1'));
    clock.advance(0);
    clock.advance(0);
    expect(summaries()).toEqual([2]);
    // …then a burst inside the window: every delta reaches the service view, one summary at the end.
    for (let i = 2; i < 12; i += 1) {
      store.upsertKey(key('orders', `x${i}`));
      clock.advance(5);
    }
    expect(serviceDeltas()).toBe(11);
    expect(summaries()).toEqual([2]);
    clock.advance(SUMMARY_WINDOW_MS);
    expect(summaries()).toEqual([2, 12]);
    const last = seen.at(-1);
    expect(last?.seq).toBe(store.summarySnapshot().seq);
  });

  it('keeps one summary snapshot across deltas that change no summary (a lease TTL), and builds a new one when one does', () => {
    store = createStore({ coalesceMs: 0, clock: createManualClock() });
    store.upsertKey(key('users', 'a'));
    const first = store.summarySnapshot();
    store.upsertKey({ ...key('users', 'a'), lease: '7' });
    const afterLease = store.summarySnapshot();
    expect(afterLease).toBe(first);
    expect(store.serviceSnapshot('users').seq).toBeGreaterThan(first.seq);
    store.upsertKey(key('users', 'b'));
    const afterRegistration = store.summarySnapshot();
    expect(afterRegistration.seq).toBeGreaterThan(first.seq);
    expect(afterRegistration.services.find((s) => s.name === 'users')?.instances).toBe(2);
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

  it('stretches the summary window to a multiple of what the last pass took, within bounds, and returns to the plain window when passes are cheap again', () => {
    const manual = createManualClock();
    // What summarising costs on the clock: each read of the service's instances takes `passCostMs`.
    let spent = 0;
    let passCostMs = 0;
    const clock = { now: () => manual.now() + spent, after: manual.after };
    const log = createDeltaLog({ coalesceMs: 0, clock });
    const instance = (id: string): Instance => ({ id, service: 'big', key: `/services/big/${id}`, address: '127.0.0.1:1', format: 'native', metadata: {}, status: 'unknown', drain: null });
    const instances: Instance[] = [];
    const views = createViewIndex(log, () => ((spent += passCostMs), [...instances]), clock);
    const summaryTimes: number[] = [];
    views.subscribe((delta) => {
      if (delta.summaryUpserts.length > 0) summaryTimes.push(clock.now());
    });
    /** A change every 10 ms for `ms`; the gaps between the summaries that left meanwhile. */
    const burst = (ms: number): number[] => {
      summaryTimes.length = 0;
      for (let t = 0; t < ms; t += 10) {
        const added = instance(`i-${instances.length}`);
        instances.push(added);
        log.record({ op: 'upsert', instance: added });
        manual.advance(10);
      }
      return summaryTimes.slice(1).map((at, i) => at - (summaryTimes[i] ?? 0));
    };
    const near = (gaps: number[], window: number): boolean => gaps.length > 0 && gaps.every((gap) => gap >= window && gap <= window + passCostMs + 10);
    expect(near(burst(1_000), SUMMARY_WINDOW_MS)).toBe(true);
    passCostMs = 12;
    expect(near(burst(3_000).slice(1), SUMMARY_WINDOW_PASSES * 12)).toBe(true);
    passCostMs = 200;
    expect(near(burst(5_000).slice(1), MAX_SUMMARY_WINDOW_MS)).toBe(true);
    passCostMs = 1;
    expect(near(burst(1_000).slice(1), SUMMARY_WINDOW_MS)).toBe(true);
    views.close();
    log.close();
  });
});
