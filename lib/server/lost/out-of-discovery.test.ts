import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import type { Delta } from '@/lib/model/live';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import { deriveIncidents } from '@/lib/model/incidents';
import { listServices } from '@/lib/model/state';
import { evaluationInput } from '../alerts/evaluation-input';
import { createHealthTracker, healthChangedEvent } from '../health';
import { createProber, type Prober } from '../prober/prober';
import { createStatusPublisher, type StatusPublisher } from '../status/publisher';
import { createStore, type Store } from '../store/store';
import { createLostTracker, LOST_KEY_PREFIX, type LostTracker } from './tracker';

/**
 * An instance out of discovery, end to end: the real store, status publisher, health tracker, prober
 * (probing a loopback HTTP server) and lost tracker, history written as the server writes it, and
 * the real alert engine. The wall clock is manual (`Date` alone is faked: the prober's timers and
 * sockets run for real, so each step waits for the probes it needs, never for a time).
 */
const KEY = '/services/payments/a';
const STAND_IN = `${LOST_KEY_PREFIX}${KEY}`;
const T0 = Date.parse('2026-12-07T09:32:41.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

let server: Server | undefined;
let store: Store | undefined;
let publisher: StatusPublisher | undefined;
let prober: Prober | undefined;
let tracker: LostTracker | undefined;
afterEach(async () => {
  await prober?.stop();
  tracker?.stop();
  publisher?.stop();
  store?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = store = publisher = prober = tracker = undefined;
  vi.useRealTimers();
});

async function fleet() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0 - 60_000);
  const answering = { now: true };
  server = createServer((_req, res) => {
    res.statusCode = answering.now ? 200 : 503;
    res.end(answering.now ? 'ok' : 'down');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const history: HistoryEvent[] = [];
  const record = (event: NewHistoryEvent): void => void history.push({ ...event, id: history.length + 1 });
  const live = createStore({ coalesceMs: 0 });
  store = live;
  publisher = createStatusPublisher({ store: live, onChange: (change) => record(healthChangedEvent(change)) });
  const statusPublisher = publisher;
  const health = createHealthTracker({ store: live, publish: (key, facts, change) => statusPublisher.probe(key, facts, change) });
  /** Every probe of the stand-in, as the prober hands it over. */
  const standInProbes: boolean[] = [];
  const lost = createLostTracker({
    store: live,
    retentionSeconds: 900,
    onHistory: record,
    departedCheckMs: 20,
    probeDeparted: (instance) => (prober as Prober).probeOnce(instance),
  });
  tracker = lost;
  prober = createProber({
    store: live,
    tracker: health,
    onStandInProbe: (key, { at, ok, latencyMs, error }) => {
      lost.standInProbed(key, { at, ok, latencyMs, ...(error !== undefined ? { error } : {}) });
      // Its update, if any, goes out before the next probe: deltas are counted per probe.
      live.flush();
      standInProbes.push(ok);
      check();
    },
    intervalMs: 30,
    timeoutMs: 1_000,
    concurrency: 4,
    denyCidrs: [],
    etcdEndpoints: [],
    random: () => 0,
  });
  /** The store's deltas, as every viewer of the service gets them. */
  const deltas: Delta[] = [];
  /** Checks waiting for a condition: run after every delta and every probe of the stand-in. */
  const waiting = new Set<() => void>();
  const check = (): void => {
    for (const waiter of [...waiting]) waiter();
  };
  const unsubscribe = live.subscribe((delta) => {
    deltas.push(delta);
    check();
  });
  /** Resolves once `done()` holds. */
  const until = (done: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const waiter = (): void => {
        if (!done()) return;
        waiting.delete(waiter);
        resolve();
      };
      waiting.add(waiter);
      waiter();
    });
  /** Resolves once the stand-in has been probed `count` more times. */
  const probedMore = (count: number): Promise<void> => {
    const target = standInProbes.length + count;
    return until(() => standInProbes.length >= target);
  };
  record({ at: iso(Date.now()), kind: 'instance.registered', service: 'payments', instance: 'a', detail: 'registered' });
  live.upsertKey({ etcdKey: KEY, lease: '7', registrations: [{ service: 'payments', id: 'a', address, format: 'native', metadata: {}, health: { http: '/healthz' } }] });
  live.flush();
  await prober.start();
  await until(() => live.instance(KEY)?.status === 'passing');
  /** Its lease ends at T0 while it serves: the registry's row, the tracker told, the key removed; then the check's two probes. */
  const leaveDiscovery = async (): Promise<void> => {
    vi.setSystemTime(T0);
    record({ at: iso(T0), kind: 'instance.deregistered', service: 'payments', instance: 'a', detail: 'lease 7 ended (revoked or expired)' });
    lost.keyGoing(KEY, Promise.resolve('gone'), '41');
    live.removeKey(KEY);
    live.flush();
    // The check answers 20 s later on this clock.
    vi.setSystemTime(T0 + 20_000);
    await until(() => live.instance(STAND_IN)?.lost?.stillServing === true);
  };
  const standIn = () => live.instance(STAND_IN);
  const payments = () => listServices({ services: new Map([['payments', new Map([...live.instances()].map((instance) => [instance.key, instance]))]]) })[0];
  const summary = () => live.summarySnapshot().services.find((service) => service.name === 'payments');
  const standInUpdates = (): number => deltas.flatMap((delta) => delta.changes).filter((change) => change.op === 'upsert' && change.instance.key === STAND_IN).length;
  return { answering, history, standInProbes, probedMore, until, leaveDiscovery, standIn, payments, summary, standInUpdates, unsubscribe };
}

describe('an instance out of discovery, probed on (prober → tracker.standInProbed → store)', () => {
  it('shows its re-probes as its last probe: a changed result at once, the same one at most every 30 s, so a fleet out of discovery is no flood of deltas', async () => {
    const run = await fleet();
    await run.leaveDiscovery();
    const checked = run.standIn()?.lastProbe;
    expect(checked?.ok).toBe(true);
    // The same result, within 30 s of the last one shown: nothing sent.
    const updatesBefore = run.standInUpdates();
    await run.probedMore(5);
    expect(run.standIn()?.lastProbe).toEqual(checked);
    expect(run.standInUpdates()).toBe(updatesBefore);
    // 30 s on, the next probe is shown: its time moves ("✓ OK · just now", not "12 min ago").
    // (Two probes: one may have been under way when the clock moved.)
    vi.setSystemTime(T0 + 50_000);
    await run.probedMore(2);
    expect(run.standIn()?.lastProbe).toMatchObject({ at: iso(T0 + 50_000), ok: true });
    expect(run.standInUpdates()).toBe(updatesBefore + 1);
    // It fails: shown at the first failed probe, long before the verdict that turns it lost.
    // (The probe under way when the clock moved ends first, so each failed probe is dated after it.)
    vi.setSystemTime(T0 + 55_000);
    await run.probedMore(1);
    run.answering.now = false;
    await run.probedMore(2);
    expect(run.standIn()?.lastProbe).toMatchObject({ at: iso(T0 + 55_000), ok: false, error: 'HTTP 503' });
    expect(run.standIn()?.lost?.stillServing).toBe(true);
    run.unsubscribe();
  });

  it('once it stops answering, stays failing since it left discovery on every screen: its status times, the service’s, the incident and the alert do not move', async () => {
    const run = await fleet();
    const engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
    await run.leaveDiscovery();
    engine.evaluate(evaluationInput(store as Store, [], T0 + 20_000), T0 + 20_000);
    /** What each screen says of when it started failing. */
    const screens = (nowMs: number) => {
      const incidents = deriveIncidents(run.history, { now: nowMs });
      return {
        instanceStatusSince: run.standIn()?.statusSince,
        instanceFailingSince: run.standIn()?.failingSince,
        lostAt: run.standIn()?.lost?.at,
        serviceFailingSince: run.summary()?.failingSince,
        serviceCauseSince: /since (\d\d:\d\d:\d\d UTC)/.exec(run.payments()?.cause ?? '')?.[1],
        incidentOpenedAt: incidents.map((incident) => incident.openedAt),
        alertsActiveSince: engine.alerts().map((alert) => `${alert.labels.alertname} ${alert.activeSince}`).sort(),
      };
    };
    const outOfDiscovery = screens(T0 + 20_000);
    expect(outOfDiscovery).toEqual({
      instanceStatusSince: iso(T0),
      instanceFailingSince: iso(T0),
      lostAt: iso(T0),
      serviceFailingSince: iso(T0),
      serviceCauseSince: '09:32:41 UTC',
      incidentOpenedAt: [iso(T0)],
      // Both from the moment every screen dates it, though ruled 20 s later (the first evaluation saw it then).
      alertsActiveSince: [`InstancesLost ${iso(T0)}`, `ServiceCritical ${iso(T0)}`],
    });
    // Minutes later its process dies: three failed probes in a row from 09:35:00.
    const stoppedAt = T0 + 139_000;
    vi.setSystemTime(stoppedAt);
    await run.probedMore(1);
    run.answering.now = false;
    await run.until(() => run.standIn()?.lost !== undefined && run.standIn()?.lost?.stillServing === undefined);
    const nowMs = stoppedAt + 5_000;
    vi.setSystemTime(nowMs);
    engine.evaluate(evaluationInput(store as Store, [], nowMs), nowMs);
    expect(run.standIn()?.lost?.cause).toBe('stopped answering probes at 09:35:00 UTC, after it left discovery at 09:32:41 UTC; last probe: HTTP 503');
    expect(screens(nowMs)).toEqual(outOfDiscovery);
    // History keeps both moments: when it left (its row and its loss found serving), and when it stopped answering.
    expect(run.history.filter((event) => event.kind !== 'health.changed' && event.kind !== 'instance.registered').map((event) => `${event.kind} ${event.at}`)).toEqual([
      `instance.deregistered ${iso(T0)}`,
      `instance.lost ${iso(T0 + 20_000)}`,
      `instance.lost ${iso(stoppedAt)}`,
    ]);
    run.unsubscribe();
  });
});
