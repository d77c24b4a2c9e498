import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { z } from 'zod';
import { InstanceSchema, type LastProbe, type Status } from '@/lib/model/instance';
import { deriveIncidents } from '@/lib/model/incidents';
import { flappingOf } from '@/lib/model/status/flapping';
import { incidentFlapping } from '@/components/history/incidents';
import { healthChangedEvent } from '../health';
import { createLostTracker, type LostTracker } from '../lost/tracker';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from './publisher';

/** The real store, status publisher and lost tracker on a manual clock, writing history as the server does. */
const T0 = Date.parse('2026-12-06T17:37:00.000Z');
const KEY = '/services/payments/a';
const iso = (ms: number): string => new Date(ms).toISOString();
let store: Store;
let publisher: StatusPublisher;
let tracker: LostTracker | undefined;
afterEach(() => {
  tracker?.stop();
  tracker = undefined;
  publisher.stop();
  store.close();
});

/** History rows by time, as the history store reads them. */
const inOrder = (history: readonly HistoryEvent[]): HistoryEvent[] => [...history].sort((x, y) => Date.parse(x.at) - Date.parse(y.at) || x.id - y.id);

function fleet() {
  const clock = { now: T0 };
  store = createStore({ coalesceMs: 0 });
  const history: HistoryEvent[] = [];
  const record = (event: NewHistoryEvent): void => void history.push({ ...event, id: history.length + 1 });
  publisher = createStatusPublisher({ store, now: () => new Date(clock.now), onChange: (change) => record(healthChangedEvent(change)) });
  tracker = createLostTracker({ store, retentionSeconds: 900, onHistory: record, now: () => clock.now, sweepMs: 60_000 });
  const register = (): void => {
    record({ at: iso(clock.now), kind: 'instance.registered', service: 'payments', instance: 'a', detail: 'registered' });
    store.upsertKey({ etcdKey: KEY, lease: '7', registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
  };
  const probe = (to: Status): void => {
    const ok = to === 'passing';
    const lastProbe: LastProbe = ok ? { at: iso(clock.now), ok: true, latencyMs: 2 } : { at: iso(clock.now), ok: false, latencyMs: 1, error: 'connection refused' };
    const from = store.instance(KEY)?.status ?? 'unknown';
    publisher.probe(KEY, { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: KEY, service: 'payments', instance: 'a', from, to, cause: 'probe', at: iso(clock.now) });
    store.flush();
  };
  /** The lease ends: the key goes, and the tracker keeps a stand-in for it. */
  const expire = async (): Promise<void> => {
    record({ at: iso(clock.now), kind: 'instance.deregistered', service: 'payments', instance: 'a', detail: 'lease 7 ended (revoked or expired)' });
    tracker?.keyGoing(KEY, Promise.resolve('gone'));
    store.removeKey(KEY);
    store.flush();
    await new Promise((resolve) => setImmediate(resolve));
    store.flush();
  };
  const payments = () => [...store.instances()].filter((instance) => instance.service === 'payments');
  /** The registry's first listing is applied: what the store holds now was present at start-up. */
  const listed = (): void => publisher.registryListed();
  return { clock, history, register, probe, expire, payments, listed };
}

describe('flapping, through the real publisher and lost tracker', () => {
  it('counts a crash loop (critical, lease gone, registered again under the same id, passing) on the instance, and on its stand-in while it is lost', async () => {
    const { clock, history, register, probe, expire, payments } = fleet();
    register();
    clock.now += 2_000;
    probe('passing');
    const seen: (number | undefined)[] = [];
    for (let cycle = 0; cycle < 4; cycle++) {
      clock.now += 20_000;
      probe('critical');
      clock.now += 10_000;
      await expire();
      const [standIn] = payments();
      seen.push(flappingOf(standIn?.criticalChangesMs, clock.now)?.changes);
      clock.now += 20_000;
      register();
      clock.now += 2_000;
      probe('passing');
    }
    // Into critical and out of it each cycle: the loss and the return are no extra changes.
    expect(seen).toEqual([undefined, 3, 5, 7]);
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(8);
    // History says the same, by the same rule.
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual(['a: 8 changes into and out of critical within 10 min']);
  });

  it('counts a brand-new instance’s first failure as a change, as History does: registered after the registry’s first listing, it crash-loops', async () => {
    const { clock, history, register, probe, expire, listed } = fleet();
    // The first listing held no payments instance: the one below registers while Switchyard runs.
    listed();
    clock.now += 60_000;
    register();
    for (let cycle = 0; cycle < 2; cycle++) {
      clock.now += 5_000;
      probe('critical');
      clock.now += 10_000;
      await expire();
      clock.now += 20_000;
      register();
      clock.now += 2_000;
      probe('passing');
    }
    // Into critical from nothing, out, in, out: four on the page and in History alike.
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(4);
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual(['a: 4 changes into and out of critical within 10 min']);
  });

  it('counts no change for a swing between critical and warning (an error rate about its critical threshold): it never recovered', () => {
    const { clock, history, register, probe } = fleet();
    register();
    probe('passing');
    for (let i = 0; i < 4; i++) {
      clock.now += 5_000;
      publisher.traffic(KEY, { status: 'critical', cause: 'error rate 26 %', kind: 'error_rate' });
      clock.now += 5_000;
      publisher.traffic(KEY, { status: 'warning', cause: 'error rate 24 %', kind: 'error_rate' });
    }
    expect(store.instance(KEY)?.status).toBe('warning');
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)).toBeNull();
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual([null]);
    // Its recovery is the one change out.
    clock.now += 5_000;
    publisher.traffic(KEY, null);
    clock.now += 5_000;
    publisher.traffic(KEY, { status: 'critical', cause: 'error rate 30 %', kind: 'error_rate' });
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(3);
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual(['a: 3 changes into and out of critical within 10 min']);
  });

  it('counts no vanishing of a passing instance (its lease ended, no loss) as flapping, on the page or in history', () => {
    const { clock, history, register, probe } = fleet();
    tracker?.stop();
    tracker = undefined;
    for (let i = 0; i < 4; i++) {
      register();
      clock.now += 2_000;
      probe('passing');
      clock.now += 20_000;
      history.push({ at: iso(clock.now), kind: 'instance.deregistered', service: 'payments', instance: 'a', detail: 'lease 7 ended (revoked or expired)', id: history.length + 1 });
      store.removeKey(KEY);
      store.flush();
      clock.now += 10_000;
    }
    const incidents = deriveIncidents(inOrder(history), { now: clock.now });
    expect(incidents.map((incident) => incident.failures)).toEqual([4]);
    expect(incidents.map(incidentFlapping)).toEqual([null]);
  });

  it('counts changes by the window: three 20 min failures with short recoveries are no flapping, though one incident holds them (its merge gap)', () => {
    const { clock, history, register, probe } = fleet();
    register();
    probe('passing');
    for (let i = 0; i < 3; i++) {
      clock.now += 30_000;
      probe('critical');
      clock.now += 1_200_000;
      probe('passing');
    }
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)).toBeNull();
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual([null]);
  });
  it('counts changes by instance across incidents: recoveries held past the merge gap make incidents that History still shows flapping, as the page does', () => {
    const { clock, history, register, probe } = fleet();
    register();
    probe('passing');
    // A crash loop with back-off: 30 s down, 3 min up, three times — each recovery outlasts the 2 min merge gap.
    for (let i = 0; i < 3; i++) {
      clock.now += 180_000;
      probe('critical');
      clock.now += 30_000;
      probe('passing');
    }
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(6);
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual([
      null,
      'a: 4 changes into and out of critical within 10 min',
      'a: 6 changes into and out of critical within 10 min',
    ]);
  });

  it('starts from the instance’s own changes when the publisher has none for it (a replica that adopted its loss, a restart)', () => {
    const { clock, register, probe } = fleet();
    tracker?.stop();
    tracker = undefined;
    register();
    clock.now += 300_000;
    // What a replica's lost tracker writes for an instance back after a loss it adopted: the crash loop's changes, copied.
    store.setHealth(KEY, { status: 'critical', statusCause: 'registered again after lease expired', statusCauseKind: 'lost', statusSince: iso(T0 + 240_000), failingSince: iso(T0 + 240_000), criticalChangesMs: [0, 60, 120, 180, 240].map((s) => T0 + s * 1_000) });
    store.flush();
    clock.now += 5_000;
    probe('unknown');
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(5);
    clock.now += 10_000;
    probe('passing');
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)?.changes).toBe(6);
  });

  it('counts no change at an instance’s first verdict in a process: a restart during an outage', () => {
    const first = fleet();
    first.register();
    first.probe('passing');
    first.clock.now += 60_000;
    first.probe('critical');
    tracker?.stop();
    publisher.stop();
    store.close();
    // Restarted an hour on, still critical; then it recovers for 2 min and fails again: two changes.
    const { clock, register, probe, listed } = fleet();
    clock.now = first.clock.now + 3_600_000;
    register();
    // Present at start-up: in the registry's first listing.
    listed();
    // Its first failed probe is published short of a verdict (unknown), the next ones make it critical.
    probe('unknown');
    clock.now += 2_000;
    probe('critical');
    clock.now += 120_000;
    probe('passing');
    clock.now += 120_000;
    probe('critical');
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, clock.now)).toBeNull();
  });

  it('invents no change when two live keys hold the same service and id (registered again under a new lease before the old one expired)', () => {
    const clock = { now: T0 };
    store = createStore({ coalesceMs: 0 });
    publisher = createStatusPublisher({ store, now: () => new Date(clock.now) });
    const OLD = '/services/payments/lease-1';
    const NEW = '/services/payments/lease-2';
    for (const [etcdKey, lease] of [[OLD, '1'], [NEW, '2']] as const) store.upsertKey({ etcdKey, lease, registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    const keyOf = (etcdKey: string): string => [...store.instances()].find((instance) => instance.key.startsWith(etcdKey))?.key ?? etcdKey;
    const probeKey = (key: string, to: Status): void => {
      const from = store.instance(key)?.status ?? 'unknown';
      publisher.probe(key, { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key, service: 'payments', instance: 'a', from, to, cause: to, at: iso(clock.now) });
      store.flush();
    };
    const [oldKey, newKey] = [keyOf(OLD), keyOf(NEW)];
    probeKey(oldKey, 'passing');
    probeKey(newKey, 'passing');
    clock.now += 5_000;
    probeKey(oldKey, 'critical');
    for (let i = 0; i < 6; i++) {
      clock.now += 15_000;
      probeKey(newKey, 'passing');
      clock.now += 15_000;
      probeKey(oldKey, 'critical');
    }
    // One change into critical, at 5 s; nothing changed since.
    expect(flappingOf(store.instance(oldKey)?.criticalChangesMs, clock.now)).toBeNull();
    expect(flappingOf(store.instance(newKey)?.criticalChangesMs, clock.now)).toBeNull();
  });
  it('counts the changes of one id with two live keys (one process, registered again before its old lease ended) once, on the page as in History', () => {
    const clock = { now: T0 };
    store = createStore({ coalesceMs: 0 });
    const history: HistoryEvent[] = [];
    publisher = createStatusPublisher({ store, now: () => new Date(clock.now), onChange: (change) => void history.push({ ...healthChangedEvent(change), id: history.length + 1 }) });
    for (const [etcdKey, lease] of [['/services/payments/lease-1', '1'], ['/services/payments/lease-2', '2']] as const) {
      store.upsertKey({ etcdKey, lease, registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    }
    store.flush();
    const keys = [...store.instances()].map((instance) => instance.key);
    expect(keys).toHaveLength(2);
    const probeKey = (key: string, to: Status): void => {
      const from = store.instance(key)?.status ?? 'unknown';
      publisher.probe(key, { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key, service: 'payments', instance: 'a', from, to, cause: to, at: iso(clock.now) });
      store.flush();
    };
    /** Both keys name one address: each probe of one is followed a second later by the other's, with the same verdict. */
    const probeBoth = (to: Status): void => {
      for (const key of keys) {
        probeKey(key, to);
        clock.now += 1_000;
      }
    };
    probeBoth('passing');
    // Two outages of 30 s, 2 min apart: into critical and out of it twice.
    for (let outage = 0; outage < 2; outage++) {
      clock.now += 120_000;
      probeBoth('critical');
      clock.now += 30_000;
      probeBoth('passing');
    }
    const onPage = Math.max(...keys.map((key) => flappingOf(store.instance(key)?.criticalChangesMs, clock.now)?.changes ?? 0));
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping)).toEqual([null, 'a: 4 changes into and out of critical within 10 min']);
    expect(onPage).toBe(4);
  });

  it('counts a new key’s changes while another live key of its id has been stuck critical for over 10 min (a dead duplicate), on the page as in History', () => {
    const clock = { now: T0 };
    store = createStore({ coalesceMs: 0 });
    const history: HistoryEvent[] = [];
    const record = (event: NewHistoryEvent): void => void history.push({ ...event, id: history.length + 1 });
    publisher = createStatusPublisher({ store, now: () => new Date(clock.now), onChange: (change) => record(healthChangedEvent(change)) });
    const register = (etcdKey: string, lease: string): string => {
      record({ at: iso(clock.now), kind: 'instance.registered', service: 'payments', instance: 'a', detail: 'registered' });
      store.upsertKey({ etcdKey, lease, registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
      store.flush();
      return [...store.instances()].find((instance) => instance.key.startsWith(etcdKey))?.key ?? etcdKey;
    };
    const probeKey = (key: string, to: Status): void => {
      const from = store.instance(key)?.status ?? 'unknown';
      publisher.probe(key, { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key, service: 'payments', instance: 'a', from, to, cause: to, at: iso(clock.now) });
      store.flush();
    };
    const oldKey = register('/services/payments/lease-1', '1');
    probeKey(oldKey, 'passing');
    clock.now += 5_000;
    probeKey(oldKey, 'critical');
    // The old key stays critical (a dead duplicate whose lease lives on), probed every 30 s, for 12 min.
    for (let i = 0; i < 24; i++) {
      clock.now += 30_000;
      probeKey(oldKey, 'critical');
    }
    const newKey = register('/services/payments/lease-2', '2');
    clock.now += 2_000;
    probeKey(newKey, 'passing');
    // The new key fails, recovers, fails again, 1 min apart; the old key is probed (critical still) in between.
    for (const to of ['critical', 'passing', 'critical'] as const) {
      clock.now += 30_000;
      probeKey(oldKey, 'critical');
      clock.now += 30_000;
      probeKey(newKey, to);
    }
    const onPage = Math.max(...[oldKey, newKey].map((key) => flappingOf(store.instance(key)?.criticalChangesMs, clock.now)?.changes ?? 0));
    expect(deriveIncidents(inOrder(history), { now: clock.now }).map(incidentFlapping).at(-1)).toBe('a: 3 changes into and out of critical within 10 min');
    expect(onPage).toBe(3);
  });

  it('carries the change times under a name a reader of dc7921f (ISO times in criticalChanges) ignores', () => {
    const { clock, register, probe } = fleet();
    register();
    probe('passing');
    for (let i = 0; i < 2; i++) {
      clock.now += 15_000;
      probe('critical');
      clock.now += 15_000;
      probe('passing');
    }
    const flapping = store.instance(KEY);
    expect(flappingOf(flapping?.criticalChangesMs, clock.now)?.changes).toBe(4);
    // dc7921f's InstanceSchema: a replica or browser still on it parses the instance (zod drops a key it does not know).
    const readerOfIsoTimes = InstanceSchema.extend({ criticalChanges: z.array(z.string()).optional() });
    expect(readerOfIsoTimes.safeParse(flapping).success).toBe(true);
  });
});
