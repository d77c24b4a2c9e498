import { afterEach, describe, expect, it, vi } from 'vitest';
import { toService } from '@/lib/model/state';
import type { Verdict } from '@/lib/model/status/combine';
import { createStore, STAND_IN_KEY_PREFIX, type Store } from '../store/store';
import { createLostTracker, type LostTrackerOptions } from '../lost/tracker';
import { createMembershipStatus } from './membership';
import { createStatusPublisher, type StatusPublisher } from './publisher';

const T0 = Date.parse('2026-12-03T09:00:00Z');
let store: Store;
let publisher: StatusPublisher;
let stopMembership: (() => void) | undefined;
afterEach(() => {
  stopMembership?.();
  stopMembership = undefined;
  publisher.stop();
  store.close();
});

const keyOf = (service: string, n: number): string => `/services/${service}/${service}-${n}`;
/** A registered instance whose probes pass. */
function register(service: string, n: number): void {
  store.upsertKey({ etcdKey: keyOf(service, n), lease: undefined, registrations: [{ service, id: `${service}-${n}`, address: `127.0.0.1:${n}`, format: 'native', metadata: {} }] });
  store.flush();
  publisher.probe(keyOf(service, n), { status: 'passing', statusCause: 'probe OK' }, undefined);
}
const remove = (service: string, n: number): void => {
  store.removeKey(keyOf(service, n));
  store.flush();
};

/** Membership over a real store and publisher, every call to the publisher recorded. */
function membershipWithCalls(clock: { t: number }) {
  store = createStore({ coalesceMs: 0 });
  publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
  const calls: { key: string; verdict: Verdict | null }[] = [];
  const real = publisher;
  const membership = createMembershipStatus({
    store,
    publisher: {
      membership(key, verdict) {
        calls.push({ key, verdict });
        real.membership(key, verdict);
      },
    },
    now: () => clock.t,
  });
  stopMembership = membership.stop;
  const pass = (): string[] => {
    calls.length = 0;
    membership.evaluate();
    return calls.map((call) => `${call.key} ${call.verdict?.cause ?? 'null'}`).sort();
  };
  return { pass };
}

describe('membership signal', () => {
  it('warns while a service has fewer instances than within the last hour, and stops once the hour has passed', () => {
    store = createStore({ coalesceMs: 0 });
    const clock = { t: T0 };
    publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
    const membership = createMembershipStatus({ store, publisher, now: () => clock.t });
    stopMembership = membership.stop;
    const keyOf = (n: number): string => `/services/orders/orders-${n}`;
    const register = (n: number): void => {
      store.upsertKey({ etcdKey: keyOf(n), lease: undefined, registrations: [{ service: 'orders', id: `orders-${n}`, address: `127.0.0.1:${n}`, format: 'native', metadata: {} }] });
      store.flush();
      publisher.probe(keyOf(n), { status: 'passing', statusCause: 'probe OK' }, undefined);
    };
    const service = () => toService('orders', new Map([...store.instances()].map((instance) => [instance.key, instance])));
    for (const n of [1, 2, 3]) register(n);
    membership.evaluate();
    expect(service()).toMatchObject({ status: 'passing' });

    // An instance gone unplanned (nothing said it left on purpose: a lost one whose retention ended): the service is one short.
    clock.t = T0 + 5 * 60_000;
    store.removeKey(keyOf(3));
    store.flush();
    membership.evaluate();
    expect(store.instance(keyOf(1))).toMatchObject({ status: 'warning', statusCause: '2 of 3 instances registered, 3 within the last hour', statusCauseKind: 'membership' });
    expect(service()).toMatchObject({ status: 'warning', cause: '2 of 3 instances registered, 3 within the last hour' });

    // Still one short 50 minutes later; an hour after the third went, two is the usual.
    clock.t = T0 + 55 * 60_000;
    membership.evaluate();
    expect(service().status).toBe('warning');
    clock.t = T0 + 66 * 60_000;
    membership.evaluate();
    expect(service()).toMatchObject({ status: 'passing' });
    expect(store.instance(keyOf(1))).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
  });

  it('lets a probe failure outrank membership, with its own cause', () => {
    store = createStore({ coalesceMs: 0 });
    publisher = createStatusPublisher({ store, now: () => new Date(T0) });
    store.upsertKey({ etcdKey: '/services/a/a-1', lease: undefined, registrations: [{ service: 'a', id: 'a-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
    store.flush();
    publisher.membership('/services/a/a-1', { status: 'warning', cause: '1 of 2 instances registered, 2 within the last hour', kind: 'membership' });
    publisher.probe('/services/a/a-1', { status: 'critical', statusCause: 'HTTP 503' }, undefined);
    expect(store.instance('/services/a/a-1')).toMatchObject({ status: 'critical', statusCause: 'HTTP 503' });
  });

  it('tells only the instances of services whose verdict or instance set changed, a new instance under a warning included', () => {
    const clock = { t: T0 };
    const { pass } = membershipWithCalls(clock);
    for (const service of ['orders', 'users', 'web']) for (const n of [1, 2, 3]) register(service, n);
    // Every count at its peak: nobody is told anything, then or on later passes.
    expect(pass()).toEqual([]);
    clock.t += 5_000;
    expect(pass()).toEqual([]);

    // orders loses one: its two remaining instances are told; the others are not.
    clock.t += 5_000;
    remove('orders', 3);
    const short = '2 of 3 instances registered, 3 within the last hour';
    expect(pass()).toEqual([`${keyOf('orders', 1)} ${short}`, `${keyOf('orders', 2)} ${short}`]);
    clock.t += 5_000;
    expect(pass()).toEqual([]);

    // One replaced by another between passes: still 2 of 3, and the newcomer must hear it.
    clock.t += 5_000;
    remove('orders', 2);
    register('orders', 4);
    expect(pass()).toContain(`${keyOf('orders', 4)} ${short}`);
    expect(store.instance(keyOf('orders', 4))).toMatchObject({ status: 'warning', statusCause: short, statusCauseKind: 'membership' });

    // Back to three: the verdict clears on every instance, which pass again.
    clock.t += 5_000;
    register('orders', 5);
    expect(pass()).toEqual([`${keyOf('orders', 1)} null`, `${keyOf('orders', 4)} null`, `${keyOf('orders', 5)} null`]);
    expect(store.instance(keyOf('orders', 4))).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
    clock.t += 5_000;
    expect(pass()).toEqual([]);
  });

  it('clears the verdict of an instance that re-registers under a service without one', () => {
    const clock = { t: T0 };
    const { pass } = membershipWithCalls(clock);
    for (const n of [1, 2]) register('orders', n);
    register('users', 1);
    pass();
    clock.t += 5_000;
    remove('orders', 2);
    pass();
    expect(store.instance(keyOf('orders', 1))).toMatchObject({ status: 'warning' });
    // The same etcd key and id now name another service (users, with no verdict): orders is left with none.
    clock.t += 5_000;
    store.upsertKey({ etcdKey: keyOf('orders', 1), lease: undefined, registrations: [{ service: 'users', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
    store.flush();
    expect(pass()).toContain(`${keyOf('orders', 1)} null`);
    expect(store.instance(keyOf('orders', 1))).toMatchObject({ service: 'users', status: 'passing' });
  });

  it('counts lost instances as present, as the summaries do', () => {
    const clock = { t: T0 };
    const { pass } = membershipWithCalls(clock);
    for (const n of [1, 2]) register('orders', n);
    pass();
    // A lost instance's key goes and its stand-in takes its place (lib/server/lost): still two.
    clock.t += 5_000;
    remove('orders', 2);
    store.upsertKey({ etcdKey: `${STAND_IN_KEY_PREFIX}${keyOf('orders', 2)}`, lease: undefined, registrations: [{ service: 'orders', id: 'orders-2', address: '127.0.0.1:2', format: 'native', metadata: {}, lost: { at: new Date(clock.t).toISOString(), cause: 'lease expired', passingBefore: 2 } }] });
    store.flush();
    expect(pass()).toEqual([]);
    expect(store.instance(keyOf('orders', 1))).toMatchObject({ status: 'passing' });
  });
});

describe('membership with the lost tracker: only capacity that went unplanned leaves a service short', () => {
  /** Membership, the lost tracker and the store wired as `startRuntime` wires them, on a fake clock. */
  function wired(departed: Pick<LostTrackerOptions, 'probeDeparted'> = {}) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const clock = { t: T0 };
    store = createStore({ coalesceMs: 0 });
    publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
    const membership = createMembershipStatus({ store, publisher, now: () => clock.t });
    const tracker = createLostTracker({ store, retentionSeconds: 60, onHistory: () => undefined, now: () => clock.t, sweepMs: 1_000, onDeparted: (service) => membership.departed(service), ...departed });
    stopMembership = () => {
      tracker.stop();
      membership.stop();
      vi.useRealTimers();
    };
    const probed = (n: number, ok: boolean): void => {
      const lastProbe = { at: new Date(clock.t).toISOString(), ok, latencyMs: 1, ...(ok ? {} : { error: 'connection refused' }) };
      publisher.probe(keyOf('orders', n), ok ? { status: 'passing', statusCause: 'probe OK', lastProbe } : { status: 'critical', statusCause: 'connection refused', lastProbe }, undefined);
      store.flush();
    };
    const start = (n: number): void => {
      store.upsertKey({ etcdKey: keyOf('orders', n), lease: String(n), registrations: [{ service: 'orders', id: `orders-${n}`, address: `127.0.0.1:${n}`, format: 'native', metadata: {} }] });
      store.flush();
      probed(n, true);
    };
    /** Its key goes as the registry removes it, with etcd's verdict on its lease. */
    const keyGone = async (n: number, lease: 'revoked' | 'gone'): Promise<void> => {
      tracker.keyGoing(keyOf('orders', n), Promise.resolve(lease));
      store.removeKey(keyOf('orders', n));
      store.flush();
      await vi.advanceTimersByTimeAsync(0);
      store.flush();
    };
    const pass = (): string[] => {
      clock.t += 5_000;
      membership.evaluate();
      return [...store.instances()].filter((instance) => !instance.lost).map((instance) => `${instance.id} ${instance.status}`);
    };
    return { clock, tracker, probed, start, keyGone, pass };
  }

  it('keeps a rollout that starts the new instance before stopping the old one, a blue/green switch and a scale-down passing', async () => {
    const { start, keyGone, pass } = wired();
    for (const n of [1, 2, 3]) start(n);
    pass();
    // A surge: one new instance first, then an old one stops gracefully (its lease revoked), three times.
    for (const [added, stopped] of [[4, 1], [5, 2], [6, 3]] as const) {
      start(added);
      expect(pass()).toEqual(expect.arrayContaining([`orders-${added} passing`]));
      await keyGone(stopped, 'revoked');
      expect(pass().every((line) => line.endsWith('passing'))).toBe(true);
    }
    // Blue/green: three more, then the first three go; then a scale-down to two.
    for (const n of [7, 8, 9]) start(n);
    pass();
    for (const n of [4, 5, 6]) await keyGone(n, 'revoked');
    await keyGone(7, 'revoked');
    expect(pass()).toEqual(['orders-8 passing', 'orders-9 passing']);
    expect(pass()).toEqual(['orders-8 passing', 'orders-9 passing']);
  });

  it('leaves it short of the count it kept once a crashed instance is neither replaced nor kept as lost any longer', async () => {
    const { clock, probed, start, keyGone, pass } = wired();
    for (const n of [1, 2, 3]) start(n);
    pass();
    // A scale-down on purpose first: two is the count from here.
    await keyGone(3, 'revoked');
    pass();
    // orders-2 crashes: its probes fail, its lease expires: lost, counted as present while it is kept.
    probed(2, false);
    await keyGone(2, 'gone');
    expect(pass()).toEqual(['orders-1 passing']);
    // The retention ends: one of the two it had is missing, and says so.
    clock.t += 60_000;
    vi.advanceTimersByTime(1_000);
    expect(pass()).toEqual(['orders-1 warning']);
    expect(store.instance(keyOf('orders', 1))).toMatchObject({ statusCause: '1 of 2 instances registered, 2 within the last hour', statusCauseKind: 'membership' });
  });

  it('does not count departures still being checked: a whole service stopped gracefully and started again is not short', async () => {
    const { clock, start, keyGone, pass } = wired({ probeDeparted: () => Promise.resolve({ at: new Date(T0).toISOString(), ok: false, latencyMs: 1, error: 'connection refused' }) });
    for (const n of [1, 2, 3]) start(n);
    pass();
    // Every lease ends while its probes pass: shown as being checked (lost/tracker.ts) until the check finds them gone.
    for (const n of [1, 2, 3]) await keyGone(n, 'gone');
    expect([...store.instances()].map((instance) => instance.lost?.checking)).toEqual([true, true, true]);
    pass();
    clock.t += 10_000;
    await vi.advanceTimersByTimeAsync(10_000);
    store.flush();
    expect([...store.instances()]).toEqual([]);
    start(4);
    expect(pass()).toEqual(['orders-4 passing']);
  });
});
