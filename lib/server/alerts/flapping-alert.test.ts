import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertTransition } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import type { LastProbe, Status } from '@/lib/model/instance';
import { FLAP_WINDOW_MS } from '@/lib/model/status/flapping';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from '../status/publisher';
import { evaluationInput } from './evaluation-input';

/** The real store and status publisher on a manual clock, evaluated as the alert service does (default rules: critical for 60 s). */
const T0 = Date.parse('2026-12-07T03:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
let store: Store;
let publisher: StatusPublisher;
afterEach(() => {
  publisher.stop();
  store.close();
});

function crashLoop(service: string, ids: readonly string[]) {
  const clock = { now: T0 };
  store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
  publisher = createStatusPublisher({ store, now: () => new Date(clock.now) });
  const key = (id: string): string => `/services/${service}/${id}`;
  for (const id of ids) store.upsertKey({ etcdKey: key(id), lease: undefined, registrations: [{ service, id, address: `10.0.0.${id.length}:80`, format: 'native', metadata: {} }] });
  const probe = (id: string, to: Status): void => {
    const ok = to === 'passing';
    const lastProbe: LastProbe = ok ? { at: iso(clock.now), ok: true, latencyMs: 2 } : { at: iso(clock.now), ok: false, latencyMs: 1, error: 'connection refused' };
    const from = store.instance(key(id))?.status ?? 'unknown';
    publisher.probe(key(id), { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: key(id), service, instance: id, from, to, cause: 'probe', at: iso(clock.now) });
    store.flush();
  };
  const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
  const transitions: string[] = [];
  /** Each fired alert's description when it fired. */
  const firedWords: string[] = [];
  /** Evaluations every 5 s (the default) for `seconds`, with `id` in `status` throughout. */
  const hold = (seconds: number, statuses: Partial<Record<string, Status>>): void => {
    for (let elapsed = 0; elapsed < seconds; elapsed += 5) {
      for (const [id, status] of Object.entries(statuses)) if (status !== undefined) probe(id, status);
      const found: AlertTransition[] = engine.evaluate(evaluationInput(store, [], clock.now), clock.now);
      for (const { kind, alert } of found) if (kind === 'fired') firedWords.push(alert.description);
      for (const { kind, alert } of found) transitions.push(`${kind} ${alert.labels.alertname} ${alert.labels.severity}${alert.labels.instance !== undefined ? ` ${alert.labels.instance}` : ''}`);
      clock.now += 5_000;
    }
  };
  return { clock, engine, transitions, firedWords, hold };
}

describe('a crash loop alerts as flapping', () => {
  it('fires ServiceFlapping (critical) for a single-instance service down 40 s of every minute, where ServiceCritical never reaches its 60 s', () => {
    const { engine, transitions, firedWords, hold } = crashLoop('payments', ['payments-1']);
    hold(20, { 'payments-1': 'passing' });
    for (let loop = 0; loop < 3; loop += 1) {
      hold(40, { 'payments-1': 'critical' });
      hold(20, { 'payments-1': 'passing' });
    }
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1']);
    // At the third change: failed at 20 s, passed at 60 s, failed again at 80 s.
    expect(firedWords).toEqual(['payments-1: 3 changes into and out of critical in 1 min, critical now']);
    const [alert] = engine.alerts();
    expect(alert?.summary).toBe('payments: payments-1 is flapping');
    expect(alert?.description).toMatch(/^payments-1: [3-6] changes into and out of critical in [1-4] min, passing now$/);
  });

  it('resolves when fewer than three changes are left within the window: 10 min after the third newest, at the evaluation that finds it', () => {
    const { clock, transitions, hold, engine } = crashLoop('payments', ['payments-1']);
    hold(20, { 'payments-1': 'passing' });
    // Changes at 20 s (critical), 60 s (passing), 80 s (critical) and 120 s (passing).
    for (let loop = 0; loop < 2; loop += 1) {
      hold(40, { 'payments-1': 'critical' });
      hold(20, { 'payments-1': 'passing' });
    }
    const thirdNewest = T0 + 60_000;
    hold((thirdNewest + FLAP_WINDOW_MS - clock.now) / 1_000, { 'payments-1': 'passing' });
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1']);
    hold(5, { 'payments-1': 'passing' });
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1', 'resolved ServiceFlapping critical payments-1']);
    expect(engine.recentlyResolved()[0]?.resolvedAt).toBe(iso(thirdNewest + FLAP_WINDOW_MS));
  });

  it('is a warning, naming no one instance, while only some of a service\u2019s instances flap', () => {
    const { transitions, firedWords, hold, engine } = crashLoop('orders', ['orders-1', 'orders-2', 'orders-3']);
    hold(20, { 'orders-1': 'passing', 'orders-2': 'passing', 'orders-3': 'passing' });
    for (let loop = 0; loop < 2; loop += 1) {
      hold(20, { 'orders-1': 'critical', 'orders-2': 'critical' });
      hold(10, { 'orders-1': 'passing', 'orders-2': 'passing' });
    }
    expect(transitions).toEqual(['fired ServiceFlapping warning']);
    expect(engine.alerts()[0]?.summary).toBe('orders: 2 of 3 instances are flapping');
    // Fired at the third change (50 s, the second failure), its span in seconds under a minute.
    expect(engine.alerts()[0]?.activeSince).toBe(iso(T0 + 50_000));
    expect(firedWords).toEqual(['orders-1: 3 changes into and out of critical in 30 s, critical now; orders-2: 3 changes into and out of critical in 30 s, critical now']);
  });
});
