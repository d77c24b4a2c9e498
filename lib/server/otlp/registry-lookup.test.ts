import { describe, expect, it } from 'vitest';
import { createReportAuthority } from '@/lib/model/otlp/authority';
import { calleeOf, reporterInstanceOf } from '@/lib/model/otlp/peer';
import type { Registration } from '@/lib/model/registration';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from '../store/store';
import { MAX_DEPARTED_CHECKS, MAX_QUEUED_DEPARTURES } from '../lost/tracker';
import { createRegistryLookup, DEPARTED_MEMORY_MS } from './registry-lookup';

const LOST = { at: '2027-01-15T08:00:00Z', cause: 'lease expired', passingBefore: 2 };
const registration = (service: string, id: string, address: string, lost?: Registration['lost']): Registration => ({
  service, id, address, format: 'native', metadata: {}, ...(lost ? { lost } : {}),
});
const register = (store: Store, service: string, id: string, address: string): void =>
  store.upsertKey({ etcdKey: `/services/${service}/${id}`, lease: '1', registrations: [registration(service, id, address)] });
/** What the lost tracker does when an instance's lease expires after failing probes: its key goes, a stand-in comes. */
const lose = (store: Store, service: string, id: string, address: string): void => {
  store.removeKey(`/services/${service}/${id}`);
  store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/services/${service}/${id}`, lease: undefined, registrations: [registration(service, id, address, LOST)] });
};

describe('registry lookup', () => {
  it('starts from what the store holds and follows its deltas: addresses (scheme and case aside), services, instances', () => {
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', 'grpc://10.0.0.1:9000');
    const lookup = createRegistryLookup(store);
    expect(lookup.instanceAt('10.0.0.1:9000')).toMatchObject({ service: 'users', id: 'u-1' });
    register(store, 'orders', 'o-1', 'http://Orders.internal:8080/api');
    store.flush();
    expect(lookup.instanceAt('orders.internal:8080')).toMatchObject({ service: 'orders', id: 'o-1' });
    expect([lookup.hasService('orders'), lookup.hasInstance('orders', 'o-1'), lookup.hasInstance('orders', 'o-2')]).toEqual([true, true, false]);
    // Moved: the old address names nobody.
    register(store, 'users', 'u-1', '10.0.0.9:9000');
    store.removeKey('/services/orders/o-1');
    store.flush();
    expect(lookup.instanceAt('10.0.0.1:9000')).toBeUndefined();
    expect(lookup.instanceAt('10.0.0.9:9000')).toMatchObject({ id: 'u-1' });
    expect([lookup.hasService('orders'), lookup.hasInstance('orders', 'o-1')]).toEqual([false, false]);
    store.close();
  });

  it('knows a lost instance until it registers again, and a service lost only while every instance of it is', () => {
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const lookup = createRegistryLookup(store);
    lose(store, 'users', 'u-1', '10.0.0.1:9000');
    store.flush();
    expect([lookup.isLost('users', 'u-1'), lookup.isLost('users', 'u-2'), lookup.isLost('users', undefined)]).toEqual([true, false, false]);
    expect(lookup.hasInstance('users', 'u-1')).toBe(true);
    lose(store, 'users', 'u-2', '10.0.0.2:9000');
    store.flush();
    expect(lookup.isLost('users', undefined)).toBe(true);
    // Back at its address while the stand-in is still there: registered, so not lost, and the address names it.
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    store.flush();
    expect([lookup.isLost('users', 'u-1'), lookup.isLost('users', undefined)]).toEqual([false, false]);
    expect(lookup.instanceAt('10.0.0.1:9000')).toMatchObject({ id: 'u-1', lost: false });
    store.removeKey(`${STAND_IN_KEY_PREFIX}/services/users/u-1`);
    store.flush();
    expect([lookup.isLost('users', 'u-1'), lookup.hasInstance('users', 'u-1')]).toEqual([false, true]);
    store.close();
  });

  it('names an instance whose key went by its address while its departure is checked and once it still serves, for two minutes unless someone registers there', () => {
    let nowMs = 0;
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const lookup = createRegistryLookup(store, { now: () => nowMs });
    const calledAt = (address: string, port: number) =>
      calleeOf([{ key: 'server.address', value: { stringValue: address } }, { key: 'server.port', value: { intValue: port } }], lookup);
    expect(calledAt('10.0.0.1', 9000)).toEqual({ service: 'users', instance: 'u-1', external: false });
    // Its key went and u-2 is still registered: no stand-in while its departure is checked, yet calls reported to it are its.
    store.removeKey('/services/users/u-1');
    store.flush();
    expect(calledAt('10.0.0.1', 9000)).toEqual({ service: 'users', instance: 'u-1', external: false });
    // Still serving: its stand-in.
    nowMs = 30_000;
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/services/users/u-1`, lease: undefined, registrations: [registration('users', 'u-1', '10.0.0.1:9000', { ...LOST, stillServing: true })] });
    store.flush();
    expect(calledAt('10.0.0.1', 9000)).toEqual({ service: 'users', instance: 'u-1', external: false });
    // Another instance registered at that address answers for it.
    store.removeKey('/services/users/u-2');
    register(store, 'orders', 'o-1', '10.0.0.2:9000');
    store.flush();
    expect(calledAt('10.0.0.2', 9000)).toEqual({ service: 'orders', instance: 'o-1', external: false });
    // The last to leave an address answers for it, for two minutes.
    store.removeKey('/services/orders/o-1');
    store.flush();
    nowMs += 120_000;
    expect(calledAt('10.0.0.2', 9000)).toEqual({ service: 'orders', instance: 'o-1', external: false });
    nowMs += 1;
    expect(calledAt('10.0.0.2', 9000)).toEqual({ service: '10.0.0.2:9000', external: true });
    store.close();
  });

  it('counts an instance whose key went, still named by its address, as departed, not lost: calls to it feed its service, not its own series, until it registers again', () => {
    let nowMs = 0;
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const lookup = createRegistryLookup(store, { now: () => nowMs });
    const authority = createReportAuthority({ windowMs: 60_000, maxServices: 10, maxEdges: 10 });
    const calledAt = (address: string) => calleeOf([{ key: 'server.address', value: { stringValue: address } }, { key: 'server.port', value: { intValue: 9000 } }], lookup);
    expect(authority.calleeSeries('users', 'u-1', nowMs, lookup)).toBe('service and instance');
    // A graceful restart with a stable id: its key went, u-2 serves on, its departure is checked.
    store.removeKey('/services/users/u-1');
    store.flush();
    nowMs = 10_000;
    expect(calledAt('10.0.0.1')).toEqual({ service: 'users', instance: 'u-1', external: false });
    expect([lookup.isDeparted('users', 'u-1'), lookup.isLost('users', 'u-1'), lookup.isLost('users', undefined)]).toEqual([true, false, false]);
    expect(authority.calleeSeries('users', 'u-1', nowMs, lookup)).toBe('service');
    // Back, at another address: it starts clean, and what is called at the address it left is no longer its.
    register(store, 'users', 'u-1', '10.0.0.3:9000');
    store.flush();
    expect(lookup.isDeparted('users', 'u-1')).toBe(false);
    expect(authority.calleeSeries('users', 'u-1', nowMs, lookup)).toBe('service and instance');
    expect(calledAt('10.0.0.1')).toEqual({ service: '10.0.0.1:9000', external: true });
    // Past its grace it is not departed either: nothing names it.
    store.removeKey('/services/users/u-1');
    store.flush();
    expect(lookup.isDeparted('users', 'u-1')).toBe(true);
    nowMs += DEPARTED_MEMORY_MS + 1;
    expect(lookup.isDeparted('users', 'u-1')).toBe(false);
    store.close();
  });

  it('counts an instance out of discovery (its key gone, still serving) as serving: its calls count once, on its own row', () => {
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const lookup = createRegistryLookup(store);
    const authority = createReportAuthority({ windowMs: 60_000, maxServices: 10, maxEdges: 10 });
    const atItsAddress = [{ key: 'server.address', value: { stringValue: '10.0.0.1' } }, { key: 'server.port', value: { intValue: 9000 } }];
    lookup.hasService('users');
    store.removeKey('/services/users/u-1');
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/services/users/u-1`, lease: undefined, registrations: [registration('users', 'u-1', '10.0.0.1:9000', { ...LOST, stillServing: true })] });
    store.flush();
    expect(lookup.isLost('users', 'u-1')).toBe(false);
    // It reports its own server side, as u-2 does: callers' calls to it count there already.
    authority.markServerMetrics('users', 0);
    // Before: 'service' — its callers' client metrics fed the service beside its own server metrics, every call twice.
    expect([authority.calleeSeries('users', 'u-1', 0, lookup), authority.calleeSeries('users', 'u-2', 0, lookup)]).toEqual(['none', 'none']);
    expect(reporterInstanceOf(atItsAddress, 'users', undefined, lookup)).toBe('u-1');
    // Once it stops answering it is lost: its calls feed its service alone.
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}/services/users/u-1`, lease: undefined, registrations: [registration('users', 'u-1', '10.0.0.1:9000', LOST)] });
    store.flush();
    expect(authority.calleeSeries('users', 'u-1', 0, lookup)).toBe('service');
    store.close();
  });

  it('gives a departed instance no series of its own, from callers or itself, and its service what a registered instance would', () => {
    let nowMs = 0;
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const judging = new Set(['/services/users/u-1']);
    const lookup = createRegistryLookup(store, { now: () => nowMs, departureChecked: (_service, key) => judging.has(key) });
    const authority = createReportAuthority({ windowMs: 60_000, maxServices: 10, maxEdges: 10 });
    const atItsAddress = [{ key: 'server.address', value: { stringValue: '10.0.0.1' } }, { key: 'server.port', value: { intValue: 9000 } }];
    lookup.hasService('users');
    // Its key went while its probes passed: the tracker checks whether it serves on, and it may.
    store.removeKey('/services/users/u-1');
    store.flush();
    expect(calleeOf(atItsAddress, lookup)).toEqual({ service: 'users', instance: 'u-1', external: false });
    // Its own server metrics, by address or by its declared id, feed its service alone.
    expect(reporterInstanceOf(atItsAddress, 'users', undefined, lookup)).toBeUndefined();
    expect(reporterInstanceOf([], 'users', 'u-1', lookup)).toBeUndefined();
    // Its service reports nothing itself: callers' calls feed the service, not the departed instance.
    expect(authority.calleeSeries('users', 'u-1', nowMs, lookup)).toBe('service');
    // Its service sends server metrics: callers' calls to it count there already, as to u-2.
    authority.markServerMetrics('users', nowMs);
    expect([authority.calleeSeries('users', 'u-1', nowMs, lookup), authority.calleeSeries('users', 'u-2', nowMs, lookup)]).toEqual(['none', 'none']);
    // Judged a graceful shutdown: the same in its grace period.
    judging.clear();
    nowMs = 2_000;
    expect(calleeOf(atItsAddress, lookup)).toEqual({ service: 'users', instance: 'u-1', external: false });
    expect(reporterInstanceOf(atItsAddress, 'users', undefined, lookup)).toBeUndefined();
    expect(authority.calleeSeries('users', 'u-1', nowMs, lookup)).toBe('none');
    store.close();
  });

  it('names an instance whose key went while the lost tracker judges its departure, however long, then for two minutes after', () => {
    let nowMs = 0;
    const store = createStore({ coalesceMs: 0 });
    register(store, 'users', 'u-1', '10.0.0.1:9000');
    register(store, 'users', 'u-2', '10.0.0.2:9000');
    const judging = new Set(['/services/users/u-1']);
    const lookup = createRegistryLookup(store, { now: () => nowMs, departureChecked: (service, key) => service === 'users' && judging.has(key) });
    lookup.instanceAt('10.0.0.1:9000');
    store.removeKey('/services/users/u-1');
    store.flush();
    // Two probes 300 s apart (SWITCHYARD_DEPARTED_CHECK_SECONDS), or a long wait in a mass departure's queue.
    for (nowMs = 0; nowMs <= 10 * 60_000; nowMs += 30_000) expect(lookup.instanceAt('10.0.0.1:9000')).toMatchObject({ service: 'users', id: 'u-1' });
    expect(lookup.isDeparted('users', 'u-1')).toBe(true);
    // Judged a graceful shutdown: its late reports are still its for two minutes after the verdict (seen within a second).
    judging.clear();
    nowMs += 1_000;
    const verdictSeenAt = nowMs;
    expect(lookup.instanceAt('10.0.0.1:9000')).toMatchObject({ id: 'u-1' });
    nowMs = verdictSeenAt + DEPARTED_MEMORY_MS;
    expect(lookup.instanceAt('10.0.0.1:9000')).toMatchObject({ id: 'u-1' });
    nowMs += 1;
    expect(lookup.instanceAt('10.0.0.1:9000')).toBeUndefined();
    expect(lookup.isDeparted('users', 'u-1')).toBe(false);
    store.close();
  });

  it("remembers departures still judged up to the tracker's checks and queue, and as many in their grace, the oldest forgotten first", () => {
    const store = createStore({ coalesceMs: 0 });
    const judged = 10_000 + MAX_DEPARTED_CHECKS + MAX_QUEUED_DEPARTURES;
    const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9000`;
    for (let i = 0; i <= judged; i += 1) register(store, 's', `i-${i}`, addressOf(i));
    const lookup = createRegistryLookup(store, { now: () => 0, departureChecked: () => true });
    lookup.instanceAt('x:1');
    for (let i = 0; i <= judged; i += 1) store.removeKey(`/services/s/i-${i}`);
    store.flush();
    expect(lookup.instanceAt(addressOf(0))).toBeUndefined();
    expect(lookup.isDeparted('s', 'i-0')).toBe(false);
    expect(lookup.instanceAt(addressOf(1))).toMatchObject({ id: 'i-1' });
    expect(lookup.instanceAt(addressOf(judged))).toMatchObject({ id: `i-${judged}` });
    store.close();
  });

  it('walks the fleet once, at its first question, and never again: a change costs the change', () => {
    const store = createStore({ coalesceMs: 0 });
    for (let i = 0; i < 100; i += 1) register(store, 'users', `u-${i}`, `10.0.0.${i}:9000`);
    let walks = 0;
    const counted: Pick<Store, 'instances' | 'subscribe'> = {
      instances: () => {
        walks += 1;
        return store.instances();
      },
      subscribe: store.subscribe,
    };
    const lookup = createRegistryLookup(counted);
    register(store, 'users', 'u-100', '10.0.0.100:9000');
    store.flush();
    expect(walks).toBe(0);
    for (let i = 100; i < 200; i += 1) {
      register(store, 'users', `u-${i}`, `10.0.0.${i}:9000`);
      store.flush();
      expect(lookup.hasInstance('users', `u-${i}`)).toBe(true);
    }
    expect(walks).toBe(1);
    store.close();
  });
});
