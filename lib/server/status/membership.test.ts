import { afterEach, describe, expect, it } from 'vitest';
import { toService } from '@/lib/model/state';
import { createStore, type Store } from '../store/store';
import { createMembershipStatus } from './membership';
import { createStatusPublisher, type StatusPublisher } from './publisher';

const T0 = Date.parse('2026-12-03T09:00:00Z');
let store: Store;
let publisher: StatusPublisher;
afterEach(() => {
  publisher.stop();
  store.close();
});

describe('membership signal', () => {
  it('warns while a service has fewer instances than within the last hour, and stops once the hour has passed', () => {
    store = createStore({ coalesceMs: 0 });
    const clock = { t: T0 };
    publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
    const membership = createMembershipStatus({ store, publisher, now: () => clock.t });
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

    // A graceful stop: the key is deleted, nothing is lost, and the service is one short.
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
});
