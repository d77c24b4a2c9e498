import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import { AlertRulesSchema, DEFAULT_ALERT_RULES, type AlertRules } from '@/lib/model/alerts/rules';
import type { LastProbe, Status } from '@/lib/model/instance';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from '../status/publisher';
import { evaluationInput } from './evaluation-input';

/** The real store and status publisher on a manual clock, evaluated every 5 s as the alert service does (default rules: 5 changes, critical for 60 s). */
const T0 = Date.parse('2026-12-07T03:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
let store: Store;
let publisher: StatusPublisher;
afterEach(() => {
  publisher.stop();
  store.close();
});

/** A crash loop: down `downSeconds`, up `upSeconds`, starting `offsetSeconds` in (up before). */
const loop = (downSeconds: number, upSeconds: number, offsetSeconds = 0) => (second: number): Status =>
  second < offsetSeconds || (second - offsetSeconds) % (downSeconds + upSeconds) >= downSeconds ? 'passing' : 'critical';

function fleet(service: string, ids: readonly string[], rules: AlertRules = DEFAULT_ALERT_RULES) {
  const clock = { now: T0 };
  store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
  publisher = createStatusPublisher({ store, now: () => new Date(clock.now) });
  const key = (id: string): string => `/services/${service}/${id}`;
  for (const id of ids) store.upsertKey({ etcdKey: key(id), lease: undefined, registrations: [{ service, id, address: `10.0.0.${ids.indexOf(id)}:80`, format: 'native', metadata: {} }] });
  const probe = (id: string, to: Status): void => {
    const ok = to === 'passing';
    const lastProbe: LastProbe = ok ? { at: iso(clock.now), ok: true, latencyMs: 2 } : { at: iso(clock.now), ok: false, latencyMs: 1, error: 'connection refused' };
    const from = store.instance(key(id))?.status ?? 'unknown';
    publisher.probe(key(id), { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: key(id), service, instance: id, from, to, cause: 'probe', at: iso(clock.now) });
    store.flush();
  };
  const engine = createAlertEngine({ rules });
  /** "fired ServiceFlapping critical payments-1 at 100 s". */
  const transitions: string[] = [];
  /** Each alert's description when it fired. */
  const firedWords: string[] = [];
  /** Probes and an evaluation every 5 s until `untilSecond`, each instance as `statusOf(second)` says. */
  const runUntil = (untilSecond: number, statusOf: Record<string, (second: number) => Status>): void => {
    for (; clock.now < T0 + untilSecond * 1_000; clock.now += 5_000) {
      const second = (clock.now - T0) / 1_000;
      for (const [id, status] of Object.entries(statusOf)) probe(id, status(second));
      for (const { kind, alert } of engine.evaluate(evaluationInput(store, [], clock.now), clock.now)) {
        if (kind === 'fired') firedWords.push(alert.description);
        transitions.push(`${kind} ${alert.labels.alertname} ${alert.labels.severity}${alert.labels.instance !== undefined ? ` ${alert.labels.instance}` : ''} at ${second} s`);
      }
    }
  };
  return { engine, transitions, firedWords, runUntil };
}

describe('a crash loop alerts as flapping', () => {
  it('fires ServiceFlapping (critical) for a single-instance service down 40 s of every minute, where ServiceCritical never reaches its 60 s', () => {
    const { engine, transitions, firedWords, runUntil } = fleet('payments', ['payments-1']);
    runUntil(200, { 'payments-1': loop(40, 20, 20) });
    // Changes at 20 s (down), 60 s (up), 80 s (down), 120 s (up), 140 s (down): the third failure.
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 140 s']);
    expect(firedWords).toEqual(['payments-1: 5 changes into and out of critical in 2 min, critical now']);
    const [alert] = engine.alerts();
    expect(alert?.summary).toBe('payments: payments-1 is flapping');
    expect(alert?.description).toBe('payments-1: 6 changes into and out of critical in 2 min 55 s, passing now');
  });

  it('pages no one for two failures within 10 min, however short the recovery between: the page says flapping, the alert waits for a third', () => {
    const { transitions, runUntil } = fleet('payments', ['payments-1']);
    // Down 20–35 s and 300–315 s: 4 changes; the third failure would begin at 580 s.
    runUntil(580, { 'payments-1': loop(15, 265, 20) });
    expect(transitions).toEqual([]);
    runUntil(585, { 'payments-1': loop(15, 265, 20) });
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 580 s']);
  });

  it('resolves when fewer than its 5 changes are left within the last 10 min: 10 min after the fifth newest', () => {
    const { transitions, engine, runUntil } = fleet('payments', ['payments-1']);
    // Down 20–60, 80–120 and 140–180 s, then up for good: the fifth newest of its 6 changes is at 60 s.
    runUntil(700, { 'payments-1': (second) => (second < 180 ? loop(40, 20, 20)(second) : 'passing') });
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 140 s', 'resolved ServiceFlapping critical payments-1 at 660 s']);
    expect(engine.recentlyResolved()[0]?.resolvedAt).toBe(iso(T0 + 660_000));
  });

  it('is a warning while only some instances flap, naming none, and gives way to a critical alert once every instance does (labels fixed for each)', () => {
    const { transitions, firedWords, engine, runUntil } = fleet('orders', ['orders-1', 'orders-2']);
    runUntil(300, { 'orders-1': loop(40, 20, 20), 'orders-2': loop(40, 20, 50) });
    expect(transitions).toEqual(['fired ServiceFlapping warning at 140 s', 'resolved ServiceFlapping warning at 170 s', 'fired ServiceFlapping critical at 170 s']);
    expect(firedWords[0]).toBe('orders-1: 5 changes into and out of critical in 2 min, critical now');
    // Down together 10 s at a time: ServiceCritical pending, never firing.
    expect(engine.alerts().map((alert) => `${alert.summary} ${alert.state}`)).toEqual(['orders: 2 of 2 instances are flapping firing', 'orders is critical pending']);
  });

  it('counts the changes its rule says (flappingChanges, at least the page\u2019s 3)', () => {
    const { transitions, runUntil } = fleet('payments', ['payments-1'], AlertRulesSchema.parse({ services: { payments: { flappingChanges: 3 } } }));
    runUntil(100, { 'payments-1': loop(40, 20, 20) });
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 80 s']);
    expect(AlertRulesSchema.safeParse({ defaults: { flappingChanges: 2 } }).success).toBe(false);
  });
});
