import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine, type AlertView } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import type { LastProbe, Status } from '@/lib/model/instance';
import { deriveIncidents } from '@/lib/model/incidents';
import { latestRecovery } from '@/lib/model/service-summary';
import { toService } from '@/lib/model/state';
import { deriveTopologyFromSummaries } from '@/lib/model/topology/topology';
import { evaluationInput } from '../alerts/evaluation-input';
import { healthChangedEvent } from '../health';
import { createLostTracker, type LostTracker } from '../lost/tracker';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from './publisher';

/**
 * The four places that report a recovery, wired as the runtime wires them (store, status publisher,
 * lost tracker, alert engine over the store's summaries, incidents from the history rows they
 * write), on one manual clock, through the demo's `service-down` outage: every instance of payments
 * killed, their leases expiring, then both back in etcd and passing their probes a few seconds
 * apart. Before, the incident ended at the re-registration, the alert at the next evaluation, the
 * service turned green at the first instance's pass, and its "recovered at" was the second's.
 */
const T0 = Date.parse('2026-12-06T17:37:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const KEYS = { a: '/services/payments/a', b: '/services/payments/b' } as const;
type Id = keyof typeof KEYS;

let store: Store;
let tracker: LostTracker;
afterEach(() => {
  tracker.stop();
  store.close();
});

function fleet() {
  let now = T0;
  store = createStore({ coalesceMs: 0 });
  const history: HistoryEvent[] = [];
  const record = (event: NewHistoryEvent): void => void history.push({ ...event, id: history.length + 1 });
  const publisher: StatusPublisher = createStatusPublisher({ store, now: () => new Date(now), onChange: (change) => record(healthChangedEvent(change)) });
  tracker = createLostTracker({ store, retentionSeconds: 900, onHistory: record, now: () => now, sweepMs: 60_000 });
  const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
  const resolved: AlertView[] = [];
  /** When the service's status, as every view rolls it up, last turned passing after failing. */
  let greenAt: string | undefined;
  let failing = false;
  const watch = (): void => {
    store.flush();
    const status = store.summarySnapshot().services.find((summary) => summary.name === 'payments')?.status;
    if (status === 'critical' || status === 'warning') failing = true;
    else if (status === 'passing' && failing) {
      failing = false;
      greenAt = iso(now);
    }
  };
  const at = (second: number): void => {
    now = T0 + second * 1_000;
  };
  return {
    history,
    resolved,
    greenAt: () => greenAt,
    at,
    register(id: Id): void {
      record({ at: iso(now), kind: 'instance.registered', service: 'payments', instance: id, detail: 'registered' });
      store.upsertKey({ etcdKey: KEYS[id], lease: '7', registrations: [{ service: 'payments', id, address: `10.0.0.${id === 'a' ? 1 : 2}:80`, format: 'native', metadata: {} }] });
      watch();
    },
    /** Probe facts as the health tracker hands them over: its own status before and after (a change when they differ); `ok` the probe's answer. */
    probe(id: Id, from: Status, to: Status, ok = to === 'passing'): void {
      const lastProbe: LastProbe = ok ? { at: iso(now), ok: true, latencyMs: 2 } : { at: iso(now), ok: false, latencyMs: 1, error: 'connection refused' };
      const cause = ok ? 'probe OK' : to === 'critical' ? 'connection refused' : 'connection refused; 1 of 3 failed probes before critical';
      const change = from === to ? undefined : { key: KEYS[id], service: 'payments', instance: id, from, to, cause, at: iso(now) };
      publisher.probe(KEYS[id], { status: to, statusCause: cause, lastProbe }, change);
      watch();
    },
    /** What the registry does when a lease takes a key: its history row, the lost tracker told, the key removed. */
    async expire(id: Id): Promise<void> {
      record({ at: iso(now), kind: 'instance.deregistered', service: 'payments', instance: id, detail: 'lease 7 ended (revoked or expired)' });
      tracker.keyGoing(KEYS[id], Promise.resolve('gone'));
      store.removeKey(KEYS[id]);
      store.flush();
      await new Promise((resolve) => setImmediate(resolve));
      watch();
    },
    /** One alert evaluation, as the alert service runs it every 5 s. */
    evaluate(): void {
      for (const transition of engine.evaluate(evaluationInput(store, [], now), now)) if (transition.kind === 'resolved') resolved.push(transition.alert);
    },
    summary: () => store.summarySnapshot().services.find((summary) => summary.name === 'payments'),
    summaries: () => store.summarySnapshot().services,
    service: () => toService('payments', new Map([...store.instances()].filter((instance) => instance.service === 'payments').map((instance) => [instance.key, instance]))),
    now: () => now,
  };
}

describe('recovered at: one moment for the incident, the alert, the map and the service page', () => {
  it('is when the last failing instance passes again, through a whole-service outage and its return', async () => {
    const f = fleet();
    f.register('a');
    f.register('b');
    f.at(2);
    f.probe('a', 'unknown', 'passing');
    f.probe('b', 'unknown', 'passing');
    f.at(20);
    f.probe('a', 'passing', 'critical');
    f.at(22);
    f.probe('b', 'passing', 'critical');
    f.at(30);
    await f.expire('a');
    await f.expire('b');
    for (let second = 30; second <= 60; second += 5) {
      f.at(second);
      f.evaluate();
    }
    // Back in etcd at 61 s; a passes its probes at 63.5 s, b at 66.2 s; alerts are evaluated every 5 s.
    f.at(61);
    f.register('a');
    f.register('b');
    const statusAfterRegistration = f.summary()?.status;
    f.at(63.5);
    f.probe('a', 'unknown', 'passing');
    const statusWithOneBack = f.summary()?.status;
    f.at(65);
    f.evaluate();
    f.at(66.2);
    f.probe('b', 'unknown', 'passing');
    f.at(70);
    f.evaluate();

    const recoveredAt = iso(T0 + 66_200);
    const node = deriveTopologyFromSummaries(f.summaries(), []).nodes.find((candidate) => candidate.id === 'payments');
    const [incident] = deriveIncidents(f.history, { now: f.now() });
    const alert = f.resolved.find((resolved) => resolved.labels.alertname === 'InstancesLost');
    expect({
      // History, GET /api/v1/incidents and the History page.
      incidentEnd: incident?.closedAt,
      // The Alerts page, and Alertmanager's endsAt.
      alertResolved: alert?.resolvedAt,
      // When the map node (and the services list) turned green, and the "recovered at" its origin note gives.
      mapGreen: f.greenAt(),
      mapRecoveredAt: node?.recoveredAt,
      // The service page's "recovered at" (its instances' latest recovery).
      servicePage: latestRecovery(f.service().instances),
    }).toEqual({ incidentEnd: recoveredAt, alertResolved: recoveredAt, mapGreen: recoveredAt, mapRecoveredAt: recoveredAt, servicePage: recoveredAt });

    // Nothing recovered before its probes said so: critical when back in etcd, amber with one of two passing.
    expect([statusAfterRegistration, statusWithOneBack]).toEqual(['critical', 'warning']);
    expect(incident).toMatchObject({ openedAt: iso(T0 + 20_000), closedBy: 'recovery' });
    expect(f.resolved.map((resolved) => [resolved.labels.alertname, resolved.resolvedOn])).toEqual([['InstancesLost', 'recovery']]);
    // The history rows say it as it was: each instance's recovery a change from critical to passing.
    expect(f.history.filter((event) => event.kind === 'health.changed' && event.at > iso(T0 + 60_000)).map((event) => [event.instance, event.from, event.to, event.at])).toEqual([
      ['a', 'critical', 'passing', iso(T0 + 63_500)],
      ['b', 'critical', 'passing', recoveredAt],
    ]);
  });

  it('counts the pass of an instance that had never passed before its loss: the service recovers with it, not with its sibling', async () => {
    const f = fleet();
    f.register('a');
    f.register('b');
    f.at(2);
    f.probe('a', 'unknown', 'passing');
    f.at(20);
    f.probe('a', 'passing', 'critical');
    f.probe('b', 'unknown', 'critical');
    f.at(30);
    await f.expire('a');
    await f.expire('b');
    f.at(35);
    f.evaluate();
    f.at(60);
    f.register('a');
    f.register('b');
    f.at(62);
    f.probe('a', 'unknown', 'passing');
    f.at(64);
    f.probe('b', 'unknown', 'passing');
    f.at(65);
    f.evaluate();
    const recoveredAt = iso(T0 + 64_000);
    expect({
      incidentEnd: deriveIncidents(f.history, { now: f.now() })[0]?.closedAt,
      alertResolved: f.resolved[0]?.resolvedAt,
      mapGreen: f.greenAt(),
      serviceRecoveredAt: f.summary()?.recoveredAt,
    }).toEqual({ incidentEnd: recoveredAt, alertResolved: recoveredAt, mapGreen: recoveredAt, serviceRecoveredAt: recoveredAt });
  });

  it('keeps an instance back after its loss critical through a first refused probe: no recovery to unknown', async () => {
    const f = fleet();
    f.register('a');
    f.at(2);
    f.probe('a', 'unknown', 'passing');
    f.at(20);
    f.probe('a', 'passing', 'critical');
    f.at(30);
    await f.expire('a');
    f.at(60);
    f.register('a');
    // The health tracker's first probe of the new registration: refused, short of a verdict.
    f.at(61);
    f.probe('a', 'unknown', 'unknown', false);
    expect(f.service().instances.map((instance) => instance.status)).toEqual(['critical']);
    expect(deriveIncidents(f.history, { now: f.now() })).toMatchObject([{ closedAt: null }]);
    f.at(64);
    f.probe('a', 'unknown', 'passing');
    expect(deriveIncidents(f.history, { now: f.now() })).toMatchObject([{ closedAt: iso(T0 + 64_000), closedBy: 'recovery' }]);
    expect(f.summary()?.recoveredAt).toBe(iso(T0 + 64_000));
  });
});
