import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import type { Ack } from '@/lib/model/alerts/acks';
import { AlertRulesSchema, DEFAULT_ALERT_RULES, type AlertRules } from '@/lib/model/alerts/rules';
import type { LastProbe, Status } from '@/lib/model/instance';
import { createLostTracker, type LostTracker } from '../lost/tracker';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher } from '../status/publisher';
import { evaluationInput } from './evaluation-input';
import { serviceStatus } from '@/lib/model/status/service';

/**
 * The real store, status publisher and lost tracker on one manual clock, the alert engine evaluated
 * every 5 s as the alert service runs it (default rules: InstancesLost at once). Instances are lost
 * as the registry loses them: probes fail, then the lease takes the key.
 */
const T0 = Date.parse('2026-12-07T03:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
let store: Store;
let tracker: LostTracker;
afterEach(() => {
  tracker.stop();
  store.close();
});

function fleet(service: string, ids: readonly string[], rules: AlertRules = DEFAULT_ALERT_RULES) {
  let now = T0;
  store = createStore({ coalesceMs: 0, now: () => new Date(now) });
  const publisher = createStatusPublisher({ store, now: () => new Date(now) });
  tracker = createLostTracker({ store, retentionSeconds: 900, onHistory: () => undefined, now: () => now, sweepMs: 60_000 });
  const engine = createAlertEngine({ rules });
  /** Operators' acknowledgements, as the store holds them. */
  const acks: Ack[] = [];
  const key = (id: string): string => `/services/${service}/${id}`;
  /** "fired InstancesLost critical at 30 s" (InstancesLost only: ServiceCritical follows the status on its own). */
  const transitions: string[] = [];
  /** ServiceCritical's: "fired at 365 s (since 10 s)". */
  const criticalTransitions: string[] = [];
  const second = (): number => (now - T0) / 1_000;
  const probe = (id: string, to: Status): void => {
    const ok = to === 'passing';
    const lastProbe: LastProbe = ok ? { at: iso(now), ok: true, latencyMs: 2 } : { at: iso(now), ok: false, latencyMs: 1, error: 'connection refused' };
    const from = store.instance(key(id))?.status ?? 'unknown';
    publisher.probe(key(id), { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: key(id), service, instance: id, from, to, cause: 'probe', at: iso(now) });
    store.flush();
  };
  const register = (id: string): void => {
    store.upsertKey({ etcdKey: key(id), lease: '7', registrations: [{ service, id, address: `10.0.0.${ids.indexOf(id) + 1}:80`, format: 'native', metadata: {} }] });
    store.flush();
  };
  /** Its key deleted, the lease gone with it (a loss) or revoked (a deregistration), as the watch reports it. */
  const keyGoes = async (id: string, lease: 'gone' | 'revoked'): Promise<void> => {
    tracker.keyGoing(key(id), Promise.resolve(lease));
    store.removeKey(key(id));
    store.flush();
    await new Promise((resolve) => setImmediate(resolve));
    store.flush();
  };
  return {
    engine,
    acks,
    transitions,
    criticalTransitions,
    at(atSecond: number): void {
      now = T0 + atSecond * 1_000;
    },
    register,
    probe,
    /** Registered and passing its probes. */
    up(id: string): void {
      register(id);
      probe(id, 'passing');
    },
    /** Its probes fail, then its lease takes its key: a lost instance. */
    async lose(id: string): Promise<void> {
      probe(id, 'critical');
      await keyGoes(id, 'gone');
    },
    /** A failed probe short of a verdict: the status stays as it is. */
    failedProbe(id: string): void {
      const current = store.instance(key(id));
      publisher.probe(key(id), { status: current?.status ?? 'unknown', statusCause: current?.statusCause ?? 'probe OK', lastProbe: { at: iso(now), ok: false, latencyMs: 1, error: 'connection refused' } }, undefined);
      store.flush();
    },
    /** Its lease takes its key (its probes failing): lost. */
    async keyGone(id: string): Promise<void> {
      await keyGoes(id, 'gone');
    },
    /** The status 'since' the service page shows for the instance (its stand-in once lost), in seconds from T0. */
    statusSince: (id: string): number | undefined => {
      const shown = store.instancesOfService(service).find((instance) => instance.id === id);
      return shown?.statusSince === undefined ? undefined : (Date.parse(shown.statusSince) - T0) / 1_000;
    },
    /** Its calls slow: a warning by traffic (its probes still pass). */
    slow(id: string): void {
      publisher.traffic(key(id), { status: 'warning', cause: 'p95 900 ms over 500 ms', kind: 'latency' });
      store.flush();
    },
    drain(id: string, drained: boolean): void {
      store.setDrain(service, id, drained ? { by: 'ops', reason: 'deploy', at: iso(now) } : null);
      store.flush();
    },
    /** Its key deleted with its lease revoked: a deregistration (a rolling restart), no loss. */
    async deregister(id: string): Promise<void> {
      await keyGoes(id, 'revoked');
    },
    /** When each of these alerts starts (activeSince, s from T0) on an engine that first evaluates now, as a replica just elected. */
    freshEngineSince(alertnames: readonly string[]): Map<string, number> {
      const fresh = createAlertEngine({ rules });
      fresh.evaluate(evaluationInput(store, [], now), now, [], []);
      return new Map(fresh.alerts().filter((alert) => alertnames.includes(alert.labels.alertname)).map((alert) => [alert.labels.alertname, (Date.parse(alert.activeSince) - T0) / 1_000]));
    },
    failingSince: (id: string): number | undefined => {
      const shown = store.instancesOfService(service).find((instance) => instance.id === id);
      return shown?.failingSince === undefined ? undefined : (Date.parse(shown.failingSince) - T0) / 1_000;
    },
    serviceCause: (): string | undefined => serviceStatus(store.instancesOfService(service)).cause,
    lostCause: (id: string): string | undefined => store.instancesOfService(service).find((instance) => instance.id === id)?.lost?.cause,
    /** Evaluations every 5 s up to and including `untilSecond`. */
    evaluateUntil(untilSecond: number): void {
      for (let at = Math.ceil(second() / 5) * 5; at <= untilSecond; at += 5) {
        now = T0 + at * 1_000;
        for (const { kind, alert } of engine.evaluate(evaluationInput(store, [], now), now, [], acks)) {
          if (alert.labels.alertname === 'InstancesLost') transitions.push(`${kind} InstancesLost ${alert.labels.severity} at ${at} s`);
          if (alert.labels.alertname === 'ServiceCritical') criticalTransitions.push(`${kind} at ${at} s (since ${(Date.parse(alert.activeSince) - T0) / 1_000} s)`);
        }
      }
    },
    /** The InstancesLost alerts now: "critical firing since 30 s: orders: 3 of 3 instances lost" (", acknowledged" when so). */
    lostAlerts: (): string[] =>
      engine
        .alerts()
        .filter((alert) => alert.labels.alertname === 'InstancesLost')
        .map((alert) => `${alert.labels.severity} ${alert.state} since ${(Date.parse(alert.activeSince) - T0) / 1_000} s: ${alert.summary}${alert.acknowledged ? ', acknowledged' : ''}`),
  };
}

describe('InstancesLost follows how many are lost: critical while every instance is, else warning', () => {
  it('gives way to a critical alert once every instance is lost (the warning resolves), which stays critical when one comes back and passes while the others stay lost', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2', 'orders-3']);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) f.up(id);
    f.evaluateUntil(10);
    f.at(12);
    await f.lose('orders-1');
    f.evaluateUntil(30);
    expect(f.lostAlerts()).toEqual(['warning firing since 12 s: orders: 1 of 3 instances lost']);
    f.at(31);
    await f.lose('orders-2');
    f.at(32);
    await f.lose('orders-3');
    f.evaluateUntil(60);
    // Counted from the loss that made it every instance, as its incident.
    expect(f.lostAlerts()).toEqual(['critical firing since 32 s: orders: 3 of 3 instances lost']);
    f.at(61);
    f.up('orders-3');
    f.evaluateUntil(70);
    // Only escalating: the critical alert stands, saying what is lost now.
    expect(f.lostAlerts()).toEqual(['critical firing since 32 s: orders: 2 of 3 instances lost']);
    expect(f.transitions).toEqual(['fired InstancesLost warning at 15 s', 'resolved InstancesLost warning at 35 s', 'fired InstancesLost critical at 35 s']);
    expect(f.engine.recentlyResolved().map((alert) => `${alert.labels.severity} ${(Date.parse(alert.activeSince) - T0) / 1_000}–${(Date.parse(alert.resolvedAt ?? '') - T0) / 1_000} s`)).toEqual(['warning 12–35 s']);
  });

  it('keeps its severity through a recovery: instances back in etcd pass one by one and the critical alert resolves at the last one\u2019s pass, with no warning between', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    await f.lose('orders-2');
    f.evaluateUntil(30);
    f.at(31);
    f.register('orders-1');
    f.register('orders-2');
    f.at(33);
    f.probe('orders-1', 'passing');
    f.evaluateUntil(35);
    // One of two passing, the other back in etcd without a verdict yet: recovering, still the critical alert.
    expect(f.lostAlerts()).toEqual(['critical firing since 8 s: orders: 1 of 2 instances registered again with no probe verdict yet']);
    f.at(37);
    f.probe('orders-2', 'passing');
    f.evaluateUntil(40);
    expect(f.transitions).toEqual(['fired InstancesLost critical at 10 s', 'resolved InstancesLost critical at 40 s']);
    expect(f.engine.recentlyResolved()[0]).toMatchObject({ resolvedAt: iso(T0 + 37_000), resolvedOn: 'recovery' });
  });

  it('ends an acknowledgement of the warning with it: the critical alert that takes its place is not acknowledged', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    f.evaluateUntil(10);
    f.acks.push({ id: 'ack-1', alertname: 'InstancesLost', service: 'orders', by: 'ops', at: iso(T0 + 11_000) });
    f.evaluateUntil(15);
    expect(f.lostAlerts()).toEqual(['warning firing since 8 s: orders: 1 of 2 instances lost, acknowledged']);
    f.at(17);
    await f.lose('orders-2');
    f.evaluateUntil(20);
    // The store still lists it (the leader ends it at its next evaluation, service.ts endResolvedAcks): used up all the same.
    expect(f.lostAlerts()).toEqual(['critical firing since 17 s: orders: 2 of 2 instances lost']);
    expect([...f.engine.usedUpAcks()]).toEqual(['ack-1']);
  });

  it('uses up an acknowledgement of the warning in the evaluation that ends the warning, though that evaluation is the first to see it: the critical alert is not acknowledged', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    f.evaluateUntil(10);
    // Taken on the warning at 11 s (a row from before acknowledgements named a severity); the last instance goes at 12 s.
    f.acks.push({ id: 'ack-1', alertname: 'InstancesLost', service: 'orders', by: 'ops', at: iso(T0 + 11_000) });
    f.at(12);
    await f.lose('orders-2');
    f.evaluateUntil(25);
    expect(f.lostAlerts()).toEqual(['critical firing since 12 s: orders: 2 of 2 instances lost']);
    expect([...f.engine.usedUpAcks()]).toEqual(['ack-1']);
  });

  it('leaves the critical alert unacknowledged by an acknowledgement of the warning another replica still held', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    await f.lose('orders-2');
    f.evaluateUntil(15);
    f.acks.push({ id: 'ack-1', alertname: 'InstancesLost', service: 'orders', severity: 'warning', by: 'ops', at: iso(T0 + 16_000) });
    f.evaluateUntil(20);
    expect(f.lostAlerts()).toEqual(['critical firing since 8 s: orders: 2 of 2 instances lost']);
    f.acks.splice(0, 1, { id: 'ack-2', alertname: 'InstancesLost', service: 'orders', severity: 'critical', by: 'ops', at: iso(T0 + 21_000) });
    f.evaluateUntil(25);
    expect(f.lostAlerts()).toEqual(['critical firing since 8 s: orders: 2 of 2 instances lost, acknowledged']);
  });

  it('counts lostForSeconds from the losses: a critical alert waits its own duration from the last one, and once fired stays critical when one passes again', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2', 'orders-3'], AlertRulesSchema.parse({ defaults: { lostForSeconds: 60 } }));
    for (const id of ['orders-1', 'orders-2', 'orders-3']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    f.evaluateUntil(100);
    f.at(101);
    await f.lose('orders-2');
    await f.lose('orders-3');
    f.evaluateUntil(200);
    f.at(201);
    f.up('orders-3');
    f.evaluateUntil(205);
    expect(f.transitions).toEqual([
      'fired InstancesLost warning at 70 s',
      // Every instance lost: as two rules of different severity, the critical one holds for its own 60 s first.
      'resolved InstancesLost warning at 105 s',
      'fired InstancesLost critical at 165 s',
    ]);
    expect(f.lostAlerts()).toEqual(['critical firing since 101 s: orders: 2 of 3 instances lost']);
  });

  it('lets a critical alert still pending (short of lostForSeconds) go when one passes again: it never met its rule, and a warning counted from the newest loss still missing takes its place', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2', 'orders-3'], AlertRulesSchema.parse({ defaults: { lostForSeconds: 60 } }));
    for (const id of ['orders-1', 'orders-2', 'orders-3']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    f.evaluateUntil(100);
    f.at(101);
    await f.lose('orders-2');
    await f.lose('orders-3');
    f.evaluateUntil(130);
    f.at(131);
    f.up('orders-3');
    f.evaluateUntil(170);
    expect(f.transitions).toEqual(['fired InstancesLost warning at 70 s', 'resolved InstancesLost warning at 105 s', 'fired InstancesLost warning at 165 s']);
    expect(f.lostAlerts()).toEqual(['warning firing since 101 s: orders: 2 of 3 instances lost']);
  });
});

describe('InstancesLost only escalates: once critical it stays critical until it resolves', () => {
  it('pages once through a crash loop: an instance back in etcd that fails its first probes and is lost again leaves the critical alert as it is', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    await f.lose('orders-1');
    await f.lose('orders-2');
    for (const cycle of [0, 40, 80]) {
      f.evaluateUntil(30 + cycle);
      f.at(31 + cycle);
      f.register('orders-1');
      f.at(33 + cycle);
      f.probe('orders-1', 'critical');
      f.evaluateUntil(45 + cycle);
      // orders-1 is failing on its probes, orders-2 still lost: nothing serves.
      expect(f.lostAlerts()).toEqual(['critical firing since 8 s: orders: 1 of 2 instances lost']);
      f.at(48 + cycle);
      await f.lose('orders-1');
    }
    f.evaluateUntil(140);
    expect(f.transitions).toEqual(['fired InstancesLost critical at 10 s']);
  });

  it('pages once through a staggered recovery: instances passing again 10 s apart leave the critical alert as it is until the service recovers, with no warning between', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2', 'orders-3']);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) f.up(id);
    f.evaluateUntil(5);
    f.at(8);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) await f.lose(id);
    f.evaluateUntil(30);
    for (const [index, id] of ['orders-1', 'orders-2', 'orders-3'].entries()) {
      f.at(31 + index * 10);
      f.up(id);
      f.evaluateUntil(35 + index * 10);
    }
    // The service passes again at orders-2's pass (serviceStatus): the critical alert ends there, never a warning between.
    expect(f.transitions).toEqual(['fired InstancesLost critical at 10 s', 'resolved InstancesLost critical at 45 s']);
    expect(f.engine.recentlyResolved().map((alert) => `${alert.labels.severity} ${(Date.parse(alert.activeSince) - T0) / 1_000}–${(Date.parse(alert.resolvedAt ?? '') - T0) / 1_000} s ${alert.resolvedOn}`)).toEqual(['critical 8–41 s recovery']);
  });

  it('starts ServiceCritical and InstancesLost of one outage at the same moment, the verdict, and the service page says that moment too, though the probes failed from earlier', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(10);
    // Killed at 12 s: each probe fails from then, and the status is critical at 18 s (the verdict's third failure).
    f.at(12);
    for (const id of ['orders-1', 'orders-2']) f.failedProbe(id);
    f.at(18);
    for (const id of ['orders-1', 'orders-2']) f.probe(id, 'critical');
    f.evaluateUntil(25);
    // Their leases end at 27 s: lost, the loss dated from the first failed probe (its cause says so).
    f.at(27);
    for (const id of ['orders-1', 'orders-2']) await f.keyGone(id);
    f.evaluateUntil(40);
    const since = (alertname: string): number | undefined => {
      const alert = f.engine.alerts().find((each) => each.labels.alertname === alertname);
      return alert === undefined ? undefined : (Date.parse(alert.activeSince) - T0) / 1_000;
    };
    expect({ ServiceCritical: since('ServiceCritical'), InstancesLost: since('InstancesLost') }).toEqual({ ServiceCritical: 18, InstancesLost: 18 });
    expect(f.statusSince('orders-1')).toBe(18);
    expect(f.lostCause('orders-1')).toMatch(/after probes failed from \d\d:\d\d:12 UTC/);
  });

  it('says an instance back in etcd after its loss is critical since that loss, not since it last passed, when its key went before any verdict', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.evaluateUntil(10);
    // Killed at 12 s; its lease ends at 15 s, before the probes reach a verdict.
    f.at(12);
    f.failedProbe('orders-1');
    f.at(15);
    await f.keyGone('orders-1');
    expect(f.statusSince('orders-1')).toBe(12);
    f.at(30);
    f.register('orders-1');
    expect(f.statusSince('orders-1')).toBe(12);
  });

  it('starts the critical alert at the loss that made it every instance, when probes failed before the keys went (as the registry loses them)', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2', 'orders-3']);
    for (const id of ['orders-1', 'orders-2', 'orders-3']) f.up(id);
    f.evaluateUntil(10);
    f.at(12);
    await f.lose('orders-1');
    f.evaluateUntil(15);
    f.at(20);
    f.probe('orders-2', 'critical');
    f.probe('orders-3', 'critical');
    f.evaluateUntil(30);
    f.at(31);
    await f.lose('orders-2');
    await f.lose('orders-3');
    f.evaluateUntil(40);
    expect(f.transitions).toEqual(['fired InstancesLost warning at 15 s', 'resolved InstancesLost warning at 35 s', 'fired InstancesLost critical at 35 s']);
    expect(f.lostAlerts()).toEqual(['critical firing since 20 s: orders: 3 of 3 instances lost']);
  });

  it('dates a loss at the critical verdict, not at the warning before it: slow from 10 s, critical at 608 s, its key gone at 620 s', async () => {
    const f = fleet('orders', ['orders-1']);
    f.up('orders-1');
    f.at(10);
    f.slow('orders-1');
    f.evaluateUntil(600);
    f.failedProbe('orders-1');
    f.at(608);
    f.probe('orders-1', 'critical');
    f.evaluateUntil(615);
    f.at(620);
    await f.keyGone('orders-1');
    f.evaluateUntil(700);
    // Its status "since" is its verdict; failing (its incident) since the warning, as before its loss.
    expect({ statusSince: f.statusSince('orders-1'), failingSince: f.failingSince('orders-1') }).toEqual({ statusSince: 608, failingSince: 10 });
    expect(f.serviceCause()).toMatch(/^its only instance lost since 03:10:08 UTC — lease expired at 03:10:20 UTC after probes failed from 03:10:00 UTC/);
    const since = new Map(f.engine.alerts().map((alert) => [alert.labels.alertname, (Date.parse(alert.activeSince) - T0) / 1_000]));
    expect({ ServiceCritical: since.get('ServiceCritical'), InstancesLost: since.get('InstancesLost') }).toEqual({ ServiceCritical: 608, InstancesLost: 608 });
    // A replica first evaluating now (a new leader) dates both at the verdict, not the warning.
    expect(Object.fromEntries(f.freshEngineSince(['ServiceCritical', 'InstancesLost']))).toEqual({ ServiceCritical: 608, InstancesLost: 608 });
    // Back in etcd, held critical: since that verdict still.
    f.at(710);
    f.register('orders-1');
    expect({ statusSince: f.statusSince('orders-1'), failingSince: f.failingSince('orders-1') }).toEqual({ statusSince: 608, failingSince: 10 });
  });
});

describe('ServiceCritical waits its rule\u2019s duration from when the service turned critical, though dated from the outage', () => {
  it('does not page for a sibling drained for 20 s beside an instance critical for minutes: pending, dated from that instance\u2019s verdict, and gone when the drain ends', () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.at(10);
    f.probe('orders-1', 'critical');
    f.evaluateUntil(295);
    f.at(300);
    f.drain('orders-2', true);
    f.evaluateUntil(315);
    expect(f.engine.alerts().filter((alert) => alert.labels.alertname === 'ServiceCritical').map((alert) => `${alert.state} since ${(Date.parse(alert.activeSince) - T0) / 1_000} s`)).toEqual(['pending since 10 s']);
    f.at(320);
    f.drain('orders-2', false);
    f.evaluateUntil(400);
    expect(f.criticalTransitions).toEqual([]);
  });

  it('does not page for a sibling restarted (deregistered at 300 s, back at 320 s) beside an instance critical for minutes', async () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.at(10);
    f.probe('orders-1', 'critical');
    f.evaluateUntil(295);
    f.at(300);
    await f.deregister('orders-2');
    f.evaluateUntil(315);
    f.at(320);
    f.up('orders-2');
    f.evaluateUntil(400);
    expect(f.criticalTransitions).toEqual([]);
  });

  it('pages a sibling drained for good after the rule\u2019s 60 s from the drain, dated from the instance\u2019s verdict', () => {
    const f = fleet('orders', ['orders-1', 'orders-2']);
    for (const id of ['orders-1', 'orders-2']) f.up(id);
    f.at(10);
    f.probe('orders-1', 'critical');
    f.evaluateUntil(295);
    f.at(300);
    f.drain('orders-2', true);
    f.evaluateUntil(400);
    expect(f.criticalTransitions).toEqual(['fired at 360 s (since 10 s)']);
  });
});
