import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import type { HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { deriveIncidents, recentCriticalChanges, type RecordedCriticalChanges } from '@/lib/model/incidents';
import type { LastProbe, Status } from '@/lib/model/instance';
import { DEFAULT_TRAFFIC_THRESHOLDS, type Verdict } from '@/lib/model/status/combine';
import { flappingOf } from '@/lib/model/status/flapping';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { evaluationInput } from '../alerts/evaluation-input';
import { healthChangedEvent } from '../health';
import { createMetricsStore } from '../metrics-store/store';
import { openHistory, type History } from '../history/store';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, FLAP_FOLLOWED_MAX, HELD_FOR_CALLS_MAX_MS, type StatusPublisher } from './publisher';
import { readRecordedDown, readRecordedFlaps } from './recorded-flaps';
import { evaluateTraffic } from './traffic';

/**
 * A restart in a crash loop: the real store, status publisher and alert engine on a manual clock,
 * writing health changes to a real History (SQLite in a temp dir), as the server does. The restart
 * is a new store, publisher and engine on the same History, the instance still registered.
 */
const T0 = Date.parse('2026-12-07T03:00:00.000Z');
const KEY = '/services/payments/payments-1';
const iso = (ms: number): string => new Date(ms).toISOString();
const testStore = useTestStore('sqlite');
let history: History | undefined;
let running: { store: Store; publisher: StatusPublisher } | undefined;
const stopRunning = (): void => {
  running?.publisher.stop();
  running?.store.close();
  running = undefined;
};
afterEach(async () => {
  stopRunning();
  await history?.close();
  history = undefined;
});

/** Down `downSeconds`, up `upSeconds`, from `offsetSeconds` (up before). */
const loop = (downSeconds: number, upSeconds: number, offsetSeconds: number) => (second: number): Status =>
  second < offsetSeconds || (second - offsetSeconds) % (downSeconds + upSeconds) >= downSeconds ? 'passing' : 'critical';

async function crashLoop() {
  const opened = await openHistory({ ...(await testStore.fresh()), flushMs: 5 });
  history = opened;
  const clock = { now: T0 };
  /** "fired ServiceFlapping critical payments-1 at 140 s", across restarts. */
  const transitions: string[] = [];
  let engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
  /** Starts a process: its store lists the instance, its publisher follows what History recorded (as start-runtime wires it). */
  const start = async (): Promise<void> => {
    const store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
    const startedMs = clock.now;
    const recordedFlaps = readRecordedFlaps(opened, startedMs);
    let downRead: Promise<unknown> = Promise.resolve();
    const recordedDown = (instances: readonly { service: string; instance: string }[]) => {
      let readAll: () => void = () => undefined;
      downRead = new Promise<void>((resolve) => (readAll = resolve));
      return (async function* () {
        yield* readRecordedDown(opened, instances, startedMs);
        readAll();
      })();
    };
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps, recordedDown, onChange: (change) => opened.append(healthChangedEvent(change)) });
    running = { store, publisher };
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'payments', id: 'payments-1', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    publisher.registryListed();
    // The publisher took them as they came (it does not wait for them): read before any verdict, as at start-up.
    await recordedFlaps;
    await downRead;
  };
  /** Stops the process (History's queue written, as a clean stop does); its engine's alerts go with it. */
  const restart = async (): Promise<void> => {
    await opened.flush();
    stopRunning();
    engine = createAlertEngine({ rules: DEFAULT_ALERT_RULES });
    await start();
  };
  const current = (): { store: Store; publisher: StatusPublisher } => {
    if (!running) throw new Error('not running');
    return running;
  };
  const probe = (to: Status): void => {
    const { store, publisher } = current();
    const ok = to === 'passing';
    const lastProbe: LastProbe = ok ? { at: iso(clock.now), ok: true, latencyMs: 2 } : { at: iso(clock.now), ok: false, latencyMs: 1, error: 'connection refused' };
    const from = store.instance(KEY)?.status ?? 'unknown';
    // Critical by the probes: when the streak's first failed probe ran, as health.ts says it.
    const firstFailed = to === 'critical' ? { firstFailedAt: iso(clock.now - 5_000) } : {};
    publisher.probe(KEY, { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: KEY, service: 'payments', instance: 'payments-1', from, to, cause: 'probe', at: iso(clock.now), ...firstFailed });
    store.flush();
  };
  /**
   * Probes, the traffic evaluator's tick (as status/traffic.ts: every instance, its verdict, null for
   * calls with nothing wrong, or none) and an evaluation every 5 s until `untilSecond`, as
   * `statusOf(second)` and `trafficOf(second)` say.
   */
  const runUntil = (untilSecond: number, statusOf: (second: number) => Status, trafficOf: (second: number) => Verdict | null | 'no calls' = () => 'no calls'): void => {
    for (; clock.now < T0 + untilSecond * 1_000; clock.now += 5_000) {
      probe(statusOf((clock.now - T0) / 1_000));
      const traffic = trafficOf((clock.now - T0) / 1_000);
      if (traffic === 'no calls') current().publisher.traffic(KEY, null, 'no calls reported in the last 30 s', false);
      else current().publisher.traffic(KEY, traffic, undefined, true);
      current().store.flush();
      for (const { kind, alert } of engine.evaluate(evaluationInput(current().store, [], clock.now), clock.now)) {
        transitions.push(`${kind} ${alert.labels.alertname} ${alert.labels.severity} ${alert.labels.instance ?? ''} at ${(clock.now - T0) / 1_000} s`);
      }
    }
  };
  /** The changes the service page counts now. */
  const pageCount = (): number | undefined => flappingOf(running?.store.instance(KEY)?.criticalChangesMs, clock.now)?.changes;
  /** The changes History counts: its incidents' flapping, from every row. */
  const historyCount = async (): Promise<number | undefined> => {
    await opened.flush();
    const rows: HistoryEvent[] = (await opened.query({ limit: 5_000 })).events.reverse();
    return deriveIncidents(rows, { now: clock.now }).at(-1)?.flapping?.changes;
  };
  const summary = () => running?.store.summarySnapshot().services.find((service) => service.name === 'payments');
  const status = (): Status | undefined => running?.store.instance(KEY)?.status;
  const cause = (): string | undefined => running?.store.instance(KEY)?.statusCause;
  /** History's newest status change, as its list shows it ("unknown → passing: probe OK"). */
  const newestChange = async (): Promise<string | undefined> => {
    await opened.flush();
    const row = (await opened.query({ kind: ['health.changed'], limit: 1 })).events[0];
    return row?.kind === 'health.changed' ? `${row.from} → ${row.to}: ${row.detail ?? ''}` : undefined;
  };
  return { clock, transitions, start, restart, runUntil, pageCount, historyCount, summary, status, cause, newestChange };
}

describe('flapping across a restart', () => {
  it('counts the changes made before a restart: the fifth change after it fires ServiceFlapping, and the page says flapping, as History does', async () => {
    const { transitions, start, restart, runUntil, pageCount, historyCount, summary, clock } = await crashLoop();
    await start();
    const crashing = loop(40, 20, 20);
    // Changes at 20 s (down), 60 s (up), 80 s (down), 120 s (up): then the server restarts, the instance passing.
    runUntil(130, crashing);
    expect(pageCount()).toBe(4);
    await restart();
    runUntil(140, crashing);
    // Its first verdict after the restart (passing, as History left it) is no change.
    expect(pageCount()).toBe(4);
    // Flapping on the services list until its third newest change (60 s) leaves the window.
    expect(summary()?.flappingUntil).toBe(iso(T0 + 60_000 + 600_000));
    runUntil(145, crashing);
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 140 s']);
    expect(pageCount()).toBe(5);
    expect(await historyCount()).toBe(5);
    expect(clock.now).toBe(T0 + 145_000);
  });

  it('a ServiceFlapping firing when the server stopped is firing again at the first verdict, counted on from History, and resolves when its count ends', async () => {
    const { transitions, start, restart, runUntil, pageCount, historyCount } = await crashLoop();
    await start();
    // Changes at 20, 60, 80, 120 and 140 s: firing from 140 s; the server stops at 150 s, the instance critical.
    runUntil(150, loop(40, 20, 20));
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 140 s']);
    await restart();
    // Still critical (no change, as History counts it: down when it stopped), then passing for good at 180 s.
    const after = (second: number): Status => (second < 180 ? 'critical' : 'passing');
    runUntil(185, after);
    expect(pageCount()).toBe(6);
    expect(await historyCount()).toBe(6);
    runUntil(700, after);
    // The fifth newest change (60 s) leaves the window at 660 s.
    expect(transitions).toEqual(['fired ServiceFlapping critical payments-1 at 140 s', 'fired ServiceFlapping critical payments-1 at 150 s', 'resolved ServiceFlapping critical payments-1 at 660 s']);
  });

  it('an instance with no row in the 10 min before a restart (passing longer): its first verdict after it, critical, is weighed against its row before, a change, on the page as in History', async () => {
    const { start, restart, runUntil, pageCount, historyCount } = await crashLoop();
    await start();
    // Passing from its first verdict at 0 s; Switchyard stops at 700 s, the row 11 min 40 s old.
    runUntil(700, () => 'passing');
    await restart();
    // It answers 503, 200, 503: three changes, the first its first verdict in this run.
    runUntil(760, (second) => (second < 720 || second >= 740 ? 'critical' : 'passing'));
    expect(await historyCount()).toBe(3);
    expect(pageCount()).toBe(3);
  });

  it('weighs the first verdict after a restart against what History left: critical by its probes when it stopped and passing after is a recovery at once, on the page as in History', async () => {
    const { start, restart, runUntil, pageCount, historyCount, status } = await crashLoop();
    await start();
    // Changes at 20 (down), 60 (up), 80 (down), by its probes: the server stops at 90 s, the instance critical.
    runUntil(90, loop(40, 20, 20));
    await restart();
    // Its probes judged it and pass: no calls to wait for.
    runUntil(95, () => 'passing');
    expect(status()).toBe('passing');
    expect(pageCount()).toBe(4);
    expect(await historyCount()).toBe(4);
  });

  const errorRate: Verdict = { status: 'critical', cause: 'error rate 50 % over the last 30 s', kind: 'error_rate' };

  it('an instance critical by its calls for over 10 min when Switchyard stopped (no row in the window): held unknown after the restart until its calls are judged, as one with rows in it', async () => {
    const { start, restart, runUntil, status, pageCount, historyCount } = await crashLoop();
    await start();
    runUntil(700, () => 'passing', (second) => (second >= 20 ? errorRate : null));
    await restart();
    runUntil(800, () => 'passing');
    expect(status()).toBe('unknown');
    runUntil(900, () => 'passing');
    expect(status()).toBe('passing');
    // Its recovery at the release, the one change in the window.
    expect(pageCount()).toBeUndefined();
    expect(await historyCount()).toBeUndefined();
  });

  it('critical by its calls when it stopped, its probes passing: unknown until its calls are seen for a full window, then passing, a recovery', async () => {
    const { start, restart, runUntil, pageCount, historyCount, status } = await crashLoop();
    await start();
    // Critical by its error rate 20–60 s and from 80 s: the server stops at 100 s.
    runUntil(100, () => 'passing', (second) => ((second >= 20 && second < 60) || second >= 80 ? errorRate : null));
    await restart();
    // Its calls come back clean at 160 s (an OpenTelemetry stream's second point): not judged before.
    const clean = (second: number): Verdict | null | 'no calls' => (second < 160 ? 'no calls' : null);
    runUntil(190, () => 'passing', clean);
    expect(status()).toBe('unknown');
    expect(pageCount()).toBe(3);
    // The tick at 190 s has seen them for 30 s: nothing wrong, the recovery counts.
    runUntil(195, () => 'passing', clean);
    expect(status()).toBe('passing');
    expect(pageCount()).toBe(4);
    expect(await historyCount()).toBe(4);
  });

  it('critical by its calls when it stopped and no calls since: passing HELD_FOR_CALLS_MAX_MS after its first verdict held, not before, each cause saying so', async () => {
    const { start, restart, runUntil, pageCount, status, cause, newestChange } = await crashLoop();
    await start();
    runUntil(100, () => 'passing', (second) => ((second >= 20 && second < 60) || second >= 80 ? errorRate : null));
    await restart();
    // Its first verdict (probes passing) at 100 s is held, and says for how long at most.
    runUntil(100 + HELD_FOR_CALLS_MAX_MS / 1_000, () => 'passing');
    expect(status()).toBe('unknown');
    expect(cause()).toBe('probe OK; critical by its calls when Switchyard stopped, so not passing until they are judged again, at most 150 s');
    runUntil(105 + HELD_FOR_CALLS_MAX_MS / 1_000, () => 'passing');
    expect(status()).toBe('passing');
    expect(pageCount()).toBe(4);
    // Its calls were never judged: the release says so, on the instance and in History, not "probe OK".
    expect(cause()).toBe('no calls reported within 150 s after the restart; probe OK');
    expect(await newestChange()).toBe('unknown → passing: no calls reported within 150 s after the restart; probe OK');
  });

  it('critical by its calls when it stopped, its calls back only 10 s before HELD_FOR_CALLS_MAX_MS: passing there, its cause saying they were too few to judge', async () => {
    const { start, restart, runUntil, status, cause, newestChange } = await crashLoop();
    await start();
    runUntil(100, () => 'passing', (second) => ((second >= 20 && second < 60) || second >= 80 ? errorRate : null));
    await restart();
    // First verdict held at 100 s; clean calls from 240 s, released at 250 s with 10 s of them.
    runUntil(105 + HELD_FOR_CALLS_MAX_MS / 1_000, () => 'passing', (second) => (second < 240 ? 'no calls' : null));
    expect(status()).toBe('passing');
    expect(cause()).toBe('too few calls to judge within 150 s after the restart; probe OK');
    expect(await newestChange()).toBe('unknown → passing: too few calls to judge within 150 s after the restart; probe OK');
  });

  /**
   * History left payments-1 critical by its calls (error rate) a minute before this start; its probes
   * pass. The real store, publisher, metrics store and traffic evaluator tick every 5 s for `seconds`;
   * web reports the calls `reportIn` gives for a second, sent as it ends (a 1 s report, or the
   * `intervalSeconds` ending then), 10 clean ones in 1 s where it says true. Each status it takes,
   * when first seen at a tick ("unknown at 5 s"), and a pass's cause.
   */
  async function heldWithRealEvaluator(seconds: number, reportIn: (second: number) => boolean | { count: number; errors: number; intervalSeconds?: number }): Promise<string[]> {
    const clock = { now: T0 };
    const store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'payments', id: 'payments-1', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    const recordedFlaps = Promise.resolve(new Map([['payments\0payments-1', { changes: [T0 - 60_000], down: true, downByCalls: true as const }]]));
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps });
    running = { store, publisher };
    publisher.registryListed();
    await recordedFlaps;
    const calls = createMetricsStore({ now: () => clock.now });
    const seen: string[] = [];
    for (let second = 0; second < seconds; second += 1) {
      clock.now = T0 + (second + 1) * 1_000;
      const reported = reportIn(second);
      const { count, errors, intervalSeconds = 1 } = reported === true ? { count: 10, errors: 0 } : reported === false ? { count: 0, errors: 0 } : reported;
      if (count > 0) {
        calls.ingest({
          reporter: { service: 'web', instance: 'web-1' },
          intervalStart: iso(clock.now - intervalSeconds * 1_000),
          intervalSeconds,
          calls: [{ to: 'payments', toInstance: 'payments-1', count, errors, latencyMs: { bounds: [20], counts: [count, 0] } }],
        });
      }
      if ((second + 1) % 5 === 0) {
        calls.sweep();
        publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK' }, undefined);
        evaluateTraffic({ store, latency: calls, publisher, thresholdsFor: () => DEFAULT_TRAFFIC_THRESHOLDS });
        store.flush();
        const now = store.instance(KEY);
        if (seen.at(-1)?.split(' at ')[0] !== now?.status) seen.push(`${now?.status ?? 'none'} at ${second + 1} s${now?.status === 'passing' ? `: ${now.statusCause ?? ''}` : ''}`);
      }
    }
    return seen;
  }

  it('with the real traffic evaluator: clean calls from 20 s after the restart end the hold, passing by 55 s (a full window of them), not at HELD_FOR_CALLS_MAX_MS', async () => {
    expect(await heldWithRealEvaluator(100, (second) => second >= 20)).toEqual(['unknown at 5 s', 'passing at 55 s: probe OK']);
  });

  it('with the real traffic evaluator: one batch of calls 20 s after the restart, then none, does not end the hold as judged; it ends at HELD_FOR_CALLS_MAX_MS saying its calls were too few', async () => {
    expect(await heldWithRealEvaluator(200, (second) => second === 20)).toEqual(['unknown at 5 s', 'passing at 155 s: too few calls to judge within 150 s after the restart; probe OK']);
  });

  it('with the real traffic evaluator: calls 20–25 s and again 45–50 s after the restart (a window with a 20 s gap) do not end the hold; calls from 80 s on, unbroken (first seen at the 85 s tick), end it a full window later', async () => {
    expect(await heldWithRealEvaluator(200, (second) => (second >= 20 && second < 25) || (second >= 45 && second < 50) || second >= 80)).toEqual(['unknown at 5 s', 'passing at 115 s: probe OK']);
  });

  it('with the real traffic evaluator: steady traffic in bursts (a 1 s report every 15 s, of 10 clean calls or of 1) ends the hold a full window after its first calls, not at HELD_FOR_CALLS_MAX_MS', async () => {
    for (const count of [10, 1]) {
      expect(await heldWithRealEvaluator(200, (second) => second % 15 === 0 && { count, errors: 0 })).toEqual(['unknown at 5 s', 'passing at 35 s: probe OK']);
      stopRunning();
    }
  });

  it('with the real traffic evaluator: one failing call every 4 s, too few for a verdict afresh, keeps it critical as the verdict History recorded, never passing', async () => {
    expect(await heldWithRealEvaluator(300, (second) => second % 4 === 0 && { count: 1, errors: 1 })).toEqual(['critical at 5 s']);
  });

  it.each([
    [90, 0, ['unknown at 5 s', 'passing at 120 s: probe OK']],
    [120, 0, ['unknown at 5 s', 'passing at 150 s: probe OK']],
    [90, 600, ['unknown at 5 s', 'critical at 90 s']],
    [120, 600, ['unknown at 5 s', 'critical at 120 s']],
  ])('with the real traffic evaluator: 60 s exports of 600 calls, the first counted %i s after the restart, %i failing, are judged before HELD_FOR_CALLS_MAX_MS (155 s here)', async (firstCountedAt, errors, statuses) => {
    expect(await heldWithRealEvaluator(200, (second) => second + 1 >= firstCountedAt && (second + 1 - firstCountedAt) % 60 === 0 && { count: 600, errors, intervalSeconds: 60 })).toEqual(statuses);
  });

  it('an OpenTelemetry reporter (its calls seen 90 s after each start: a first cumulative point counts nothing, 60 s exports) critical by its error rate: three restarts leave its count as it was and ServiceFlapping does not fire', async () => {
    const { transitions, start, restart, runUntil, pageCount, historyCount, status } = await crashLoop();
    await start();
    runUntil(100, () => 'passing', (second) => ((second >= 20 && second < 60) || second >= 80 ? errorRate : null));
    expect(pageCount()).toBe(3);
    for (const startedAt of [100, 250, 400]) {
      await restart();
      const calls = (second: number): Verdict | 'no calls' => (second < startedAt + 90 ? 'no calls' : errorRate);
      runUntil(startedAt + 85, (second) => (second < startedAt + 5 ? 'unknown' : 'passing'), calls);
      expect(status()).toBe('unknown');
      runUntil(startedAt + 150, () => 'passing', calls);
      expect(status()).toBe('critical');
    }
    expect(pageCount()).toBe(3);
    expect(await historyCount()).toBe(3);
    expect(transitions).toEqual([]);
  });

  it('an instance critical by its error rate while its probes pass is no recovery and no new failure at a restart: three restarts in 10 min leave its count as it was, on the page and in History, and ServiceFlapping does not fire', async () => {
    const { transitions, start, restart, runUntil, pageCount, historyCount, status } = await crashLoop();
    await start();
    // Its probes always pass; its error rate is critical 20–60 s and from 80 s on: changes at 20, 60 and 80 s.
    runUntil(100, () => 'passing', (second) => ((second >= 20 && second < 60) || second >= 80 ? errorRate : null));
    expect(pageCount()).toBe(3);
    for (const startedAt of [100, 160, 220]) {
      await restart();
      // As after a real restart: the first probe is no verdict yet (health.ts), the probes pass at the
      // second, and the calls (not kept over the restart) show its error rate again at the third tick.
      runUntil(startedAt + 50, (second) => (second < startedAt + 5 ? 'unknown' : 'passing'), (second) => (second < startedAt + 10 ? null : errorRate));
      expect(status()).toBe('critical');
    }
    expect(pageCount()).toBe(3);
    expect(await historyCount()).toBe(3);
    expect(transitions).toEqual([]);
  });

  it('a first failed probe after a restart is published as unknown before critical (health.ts): critical when it stopped, that is no new failure; passing when it stopped, it is one', async () => {
    const down = await crashLoop();
    await down.start();
    // Changes at 20, 60, 80 s: critical when it stops at 90 s.
    down.runUntil(90, loop(40, 20, 20));
    await down.restart();
    down.runUntil(110, (second) => (second < 100 ? 'unknown' : 'critical'));
    expect(down.status()).toBe('critical');
    expect(down.pageCount()).toBe(3);
    expect(await down.historyCount()).toBe(3);
    stopRunning();
    await history?.close();
    const up = await crashLoop();
    await up.start();
    // Changes at 20, 60, 80, 120 s: passing when it stops at 130 s.
    up.runUntil(130, loop(40, 20, 20));
    await up.restart();
    up.runUntil(150, (second) => (second < 140 ? 'unknown' : 'critical'));
    expect(up.pageCount()).toBe(5);
    expect(await up.historyCount()).toBe(5);
  });
});

describe('History read as the publisher starts', () => {
  const KEY_A = '/services/payments/a';
  /** A publisher on a manual clock, id `a` of payments registered at its start under each of `keys` (etcd key, lease). */
  function publisherWith(recordedFlaps: Promise<ReadonlyMap<string, RecordedCriticalChanges>>, recordedDown?: () => AsyncIterable<ReadonlyMap<string, RecordedCriticalChanges>>, keys: readonly (readonly [string, string | undefined])[] = [[KEY_A, undefined]]) {
    const clock = { now: T0 };
    const store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
    const logged: string[] = [];
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps, ...(recordedDown ? { recordedDown } : {}), log: (line) => logged.push(line) });
    running = { store, publisher };
    for (const [etcdKey, lease] of keys) store.upsertKey({ etcdKey, lease, registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    publisher.registryListed();
    const probe = (to: Status): void => {
      const from = store.instance(KEY_A)?.status ?? 'unknown';
      publisher.probe(KEY_A, { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key: KEY_A, service: 'payments', instance: 'a', from, to, cause: 'probe', at: iso(clock.now) });
      store.flush();
    };
    return { clock, store, logged, probe, publisher };
  }

  it.each([
    ['its calls judged over a full window', true, 'passing at 35 s: probe OK'],
    ['no calls at HELD_FOR_CALLS_MAX_MS', false, 'passing at 155 s: no calls reported within 150 s after the restart; probe OK'],
  ])('releases every live key of an id held for its calls at once (registered again under a new lease): %s', async (_, withCalls, released) => {
    const recordedFlaps = Promise.resolve(new Map([['payments\0a', { changes: [T0 - 60_000], down: true, downByCalls: true as const }]]));
    // Both keys live when Switchyard stopped, and at its start.
    const { clock, store, publisher } = publisherWith(recordedFlaps, undefined, [['/services/payments/lease-1', '1'], ['/services/payments/lease-2', '2']]);
    await recordedFlaps;
    const keys = [...store.instances()].map((instance) => instance.key);
    expect(keys).toHaveLength(2);
    /** "passing at 35 s: probe OK" per key, when first seen at a tick. */
    const seen = new Map<string, string[]>(keys.map((key) => [key, []]));
    for (let second = 5; second <= 200; second += 5) {
      clock.now = T0 + second * 1_000;
      // Probes every 20 s: a key released at a traffic tick must not wait for its own.
      for (const key of keys) if (second % 20 === 5) publisher.probe(key, { status: 'passing', statusCause: 'probe OK' }, undefined);
      for (const key of keys) publisher.traffic(key, null, 'no calls reported in the last 30 s', withCalls);
      store.flush();
      for (const [key, statuses] of seen) {
        const instance = store.instance(key);
        const now = `${instance?.status ?? 'none'} at ${second} s${instance?.status === 'passing' ? `: ${instance.statusCause ?? ''}` : ''}`;
        if (statuses.at(-1)?.split(' at ')[0] !== instance?.status) statuses.push(now);
      }
    }
    expect([...seen.values()]).toEqual([['unknown at 5 s', released], ['unknown at 5 s', released]]);
  });

  it('never holds statuses back: with the database unreachable (or not answering) they are published, counted from this run, and the failure logged once', async () => {
    const unreachable = Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const { clock, store, logged, probe } = publisherWith(unreachable);
    await unreachable.catch(() => undefined);
    for (const to of ['passing', 'critical', 'passing', 'critical'] as const) {
      clock.now += 20_000;
      probe(to);
    }
    expect(store.instance(KEY_A)?.status).toBe('critical');
    expect(flappingOf(store.instance(KEY_A)?.criticalChangesMs, clock.now)?.changes).toBe(3);
    expect(logged).toEqual(["flapping: History's recent status changes could not be read (connect ECONNREFUSED 127.0.0.1:5432); counts start from this run's changes"]);
    stopRunning();
    const hanging = publisherWith(new Promise(() => undefined));
    hanging.clock.now += 20_000;
    hanging.probe('critical');
    expect(hanging.store.instance(KEY_A)?.status).toBe('critical');
  });

  it('taken after verdicts were given (History slow to answer): its times join this run’s, the same change once, the instance carrying them at once; this run’s down stands', async () => {
    let answer: (recorded: ReadonlyMap<string, { changes: number[]; down: boolean }>) => void = () => undefined;
    const recordedFlaps = new Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>((resolve) => (answer = resolve));
    const { clock, store, probe } = publisherWith(recordedFlaps);
    // This run: a first verdict (no change: present at start-up), then a failure at +40 s.
    clock.now += 20_000;
    probe('passing');
    clock.now += 20_000;
    probe('critical');
    // History: two changes before the restart, and this run's failure (the leader wrote it), down.
    answer(new Map([['payments\0a', { changes: [T0 - 60_000, T0 - 30_000, T0 + 40_000], down: true }]]));
    await recordedFlaps;
    expect(store.instance(KEY_A)?.criticalChangesMs).toEqual([T0 - 60_000, T0 - 30_000, T0 + 40_000]);
    clock.now += 20_000;
    probe('passing');
    expect(flappingOf(store.instance(KEY_A)?.criticalChangesMs, clock.now)?.changes).toBe(4);
  });

  it('taken after a first verdict that counted nothing: History’s down does not stand against this run’s verdict, so its next failure counts', async () => {
    let answer: (recorded: ReadonlyMap<string, { changes: number[]; down: boolean }>) => void = () => undefined;
    const recordedFlaps = new Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>((resolve) => (answer = resolve));
    const { clock, store, probe } = publisherWith(recordedFlaps);
    clock.now += 20_000;
    probe('passing');
    answer(new Map([['payments\0a', { changes: [T0 - 90_000, T0 - 60_000, T0 - 30_000], down: true }]]));
    await recordedFlaps;
    expect(store.instance(KEY_A)?.criticalChangesMs).toEqual([T0 - 90_000, T0 - 60_000, T0 - 30_000]);
    clock.now += 20_000;
    probe('critical');
    expect(flappingOf(store.instance(KEY_A)?.criticalChangesMs, clock.now)?.changes).toBe(4);
  });

  it('History’s row before the window taken after the first verdict (a slow database): a first critical that row makes a change is counted then, and the next changes on from it', async () => {
    let answer: (recorded: ReadonlyMap<string, { changes: number[]; down: boolean }>) => void = () => undefined;
    const down = new Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>((resolve) => (answer = resolve));
    const asked: unknown[] = [];
    const recordedFlaps = Promise.resolve(new Map<string, { changes: number[]; down: boolean }>());
    const { clock, store, probe } = publisherWith(recordedFlaps, async function* (...args: unknown[]) {
      asked.push(...args);
      yield await down;
    });
    await recordedFlaps;
    expect(asked).toEqual([[{ service: 'payments', instance: 'a' }]]);
    clock.now += 5_000;
    probe('critical');
    // Passing when the last run stopped, over 10 min before: History counts the critical.
    answer(new Map([['payments\0a', { changes: [], down: false }]]));
    await down;
    // Taken a few promise steps later, through the answer's iterator.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.instance(KEY_A)?.criticalChangesMs).toBeUndefined();
    for (const to of ['passing', 'critical'] as const) {
      clock.now += 5_000;
      probe(to);
    }
    expect(store.instance(KEY_A)?.criticalChangesMs).toEqual([T0 + 5_000, T0 + 10_000, T0 + 15_000]);
  });

  it('taken late, the same change stamped by another replica a moment before this start and by this run after it is one change', async () => {
    let answer: (recorded: ReadonlyMap<string, { changes: number[]; down: boolean }>) => void = () => undefined;
    const recordedFlaps = new Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>((resolve) => (answer = resolve));
    const { clock, store, probe, publisher } = publisherWith(recordedFlaps);
    clock.now += 200;
    probe('passing');
    // This run's traffic tick finds the error rate critical 800 ms after its start ...
    clock.now += 600;
    publisher.traffic(KEY_A, { status: 'critical', cause: 'error rate 50 % over the last 30 s', kind: 'error_rate' });
    store.flush();
    // ... which the leader's tick had found 300 ms before it (History: read until this start).
    answer(new Map([['payments\0a', { changes: [T0 - 240_000, T0 - 180_000, T0 - 300], down: true }]]));
    await recordedFlaps;
    expect(store.instance(KEY_A)?.criticalChangesMs).toEqual([T0 - 240_000, T0 - 180_000, T0 - 300]);
    // Its recovery is one more change, the fourth.
    clock.now += 20_000;
    publisher.traffic(KEY_A, null);
    store.flush();
    expect(flappingOf(store.instance(KEY_A)?.criticalChangesMs, clock.now)?.changes).toBe(4);
  });

  it('takes no id of History’s past FLAP_FOLLOWED_MAX: what this run follows stays, an id beyond it is not taken', async () => {
    let answer: (recorded: ReadonlyMap<string, { changes: number[]; down: boolean }>) => void = () => undefined;
    const recordedFlaps = new Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>((resolve) => (answer = resolve));
    const { clock, store, probe, publisher } = publisherWith(recordedFlaps);
    // This run follows a: one change.
    clock.now += 5_000;
    probe('passing');
    clock.now += 5_000;
    probe('critical');
    const recorded = new Map<string, { changes: number[]; down: boolean }>();
    for (let i = 0; i < FLAP_FOLLOWED_MAX; i += 1) recorded.set(`payments\0other-${i}`, { changes: [T0 - 60_000], down: false });
    recorded.set('payments\0z', { changes: [T0 - 90_000, T0 - 60_000, T0 - 30_000], down: false });
    answer(recorded);
    await recordedFlaps;
    // z, registered now, is not followed from History: no flap from rows past the cap.
    store.upsertKey({ etcdKey: '/services/payments/z', lease: undefined, registrations: [{ service: 'payments', id: 'z', address: '10.0.0.2:80', format: 'native', metadata: {} }] });
    store.flush();
    publisher.probe('/services/payments/z', { status: 'passing', statusCause: 'probe OK', lastProbe: { at: iso(clock.now), ok: true, latencyMs: 1 } }, undefined);
    store.flush();
    expect(store.instance('/services/payments/z')?.criticalChangesMs).toBeUndefined();
    // a's own count goes on.
    for (const to of ['passing', 'critical'] as const) {
      clock.now += 5_000;
      probe(to);
    }
    expect(flappingOf(store.instance(KEY_A)?.criticalChangesMs, clock.now)?.changes).toBe(3);
  });

  /**
   * A publisher on a manual clock, `ids` of payments registered at its start in that order, History's
   * rows before the window read by the real readRecordedDown from `latestPerInstance`.
   */
  function fleetWith(ids: readonly string[], recordedFlaps: Promise<ReadonlyMap<string, RecordedCriticalChanges>>, latestPerInstance: History['latestPerInstance']) {
    const clock = { now: T0 };
    const store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
    /** Ids asked of History so far. */
    const asked = { ids: 0 };
    const history: Pick<History, 'latestPerInstance'> = {
      latestPerInstance: (instances, kinds, beforeMs) => {
        asked.ids += instances.length;
        return latestPerInstance(instances, kinds, beforeMs);
      },
    };
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps, recordedDown: (instances) => readRecordedDown(history, instances, T0), log: () => undefined });
    running = { store, publisher };
    const keyOf = (id: string): string => `/services/payments/${id}`;
    const register = (id: string): void => store.upsertKey({ etcdKey: keyOf(id), lease: undefined, registrations: [{ service: 'payments', id, address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    for (const id of ids) register(id);
    store.flush();
    publisher.registryListed();
    /** Each id's probes reach `to` now (the store flushed after all, as its coalescing does). */
    const probe = (probed: readonly string[], to: Status): void => {
      for (const id of probed) {
        const from = store.instance(keyOf(id))?.status ?? 'unknown';
        publisher.probe(keyOf(id), { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key: keyOf(id), service: 'payments', instance: id, from, to, cause: 'probe', at: iso(clock.now) });
      }
      store.flush();
    };
    const count = (id: string): number | undefined => flappingOf(store.instance(keyOf(id))?.criticalChangesMs, clock.now)?.changes;
    const status = (id: string): Status | undefined => store.instance(keyOf(id))?.status;
    /** Until `ids` have been asked of History, and its answers so far taken (readRecordedDown frees the event loop between queries). */
    const askedFor = async (total: number): Promise<void> => {
      while (asked.ids < total) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    };
    return { clock, store, publisher, asked, register, probe, count, status, askedFor };
  }

  it('past FLAP_FOLLOWED_MAX ids with no row in the window, each one’s first verdict is weighed against its row before, and those answers never push out a crash loop read from the window', async () => {
    const steady = Array.from({ length: FLAP_FOLLOWED_MAX + 500 }, (_, index) => `s${index}`);
    // z crash-looped in the window and had recovered when Switchyard stopped; the others passed for over 10 min (no row at all reads the same).
    const recordedFlaps = Promise.resolve(new Map([['payments\0z', { changes: [T0 - 90_000, T0 - 60_000, T0 - 30_000], down: false }]]));
    const { clock, probe, count, askedFor } = fleetWith(['z', ...steady], recordedFlaps, () => Promise.resolve([]));
    await askedFor(steady.length);
    // The last ten listed answer 503, 200, 503; z fails again.
    const failing = steady.slice(-10);
    clock.now += 5_000;
    probe([...failing, 'z'], 'critical');
    for (const to of ['passing', 'critical'] as const) {
      clock.now += 5_000;
      probe(failing, to);
    }
    expect(failing.map(count)).toEqual(failing.map(() => 3));
    expect(count('z')).toBe(4);
  });

  it('takes each 1,000-id answer of History’s rows before the window as it comes: an id of the first, critical by its calls when Switchyard stopped, is held unknown at a passing first probe while the next has not answered', async () => {
    const others = Array.from({ length: 1_000 }, (_, index) => `b${index}`);
    const rowOfA: HistoryEvent = { id: 1, at: iso(T0 - 15 * 60_000), kind: 'health.changed', service: 'payments', instance: 'a', from: 'passing', to: 'critical', detail: 'error rate 50 % over the last 30 s' };
    let queries = 0;
    const { probe, status, askedFor } = fleetWith(['a', ...others], Promise.resolve(new Map()), (instances) => {
      queries += 1;
      return queries === 1 ? Promise.resolve(instances.some(({ instance }) => instance === 'a') ? [rowOfA] : []) : new Promise(() => undefined);
    });
    // The second query asked (not answered): the first's answer taken.
    await askedFor(1_001);
    probe(['a'], 'passing');
    expect(status('a')).toBe('unknown');
  });

  it('History’s row before the window taken after a first critical whose entry was pushed out past FLAP_FOLLOWED_MAX: down as the instance is, so its recovery counts', async () => {
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const { clock, probe, register, count, askedFor } = fleetWith(['a'], Promise.resolve(new Map()), async () => {
      await answered;
      return [];
    });
    await askedFor(1);
    // Its first verdict, before History's answer: no change yet.
    clock.now += 5_000;
    probe(['a'], 'critical');
    // FLAP_FOLLOWED_MAX instances registered since fail (a change each, followed): a's entry goes first.
    const later = Array.from({ length: FLAP_FOLLOWED_MAX }, (_, index) => `later-${index}`);
    for (const id of later) register(id);
    clock.now += 1_000;
    probe(later, 'passing');
    probe(later, 'critical');
    // Passing for over 10 min when it stopped: its first critical was a change.
    answer();
    await answered;
    await new Promise((resolve) => setImmediate(resolve));
    for (const to of ['passing', 'critical'] as const) {
      clock.now += 5_000;
      probe(['a'], to);
    }
    expect(count('a')).toBe(3);
  });

  it('takes nothing after stop(), and asks History nothing more', async () => {
    let answerFlaps: (recorded: ReadonlyMap<string, RecordedCriticalChanges>) => void = () => undefined;
    const recordedFlaps = new Promise<ReadonlyMap<string, RecordedCriticalChanges>>((resolve) => (answerFlaps = resolve));
    const { clock, store, publisher, probe, asked } = fleetWith(['a', 'b'], recordedFlaps, () => Promise.resolve([]));
    clock.now += 5_000;
    probe(['a', 'b'], 'critical');
    const writes = vi.spyOn(store, 'setHealth');
    publisher.stop();
    answerFlaps(new Map([['payments\0a', { changes: [T0 - 60_000], down: false }]]));
    await recordedFlaps;
    for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(asked.ids).toBe(0);
    expect(writes).not.toHaveBeenCalled();
  });
});

describe.each(STORE_DIALECTS)('History read as the publisher starts, on %s', (dialect) => {
  const dialectStore = useTestStore(dialect);

    it('counts as History counts at the window’s edge: an id’s down as the window opens is what its newest row before it left', async () => {
      const opened = await openHistory({ ...(await dialectStore.fresh()), flushMs: 5 });
      history = opened;
      const at = (minute: number): string => iso(T0 + minute * 60_000);
      const health = (minute: number, instance: string, from: Status, to: Status): NewHistoryEvent => ({ at: at(minute), kind: 'health.changed', service: 'payments', instance, from, to, detail: to });
      const rows: NewHistoryEvent[] = [
        // a: critical before the window (it opens at 10 min), its lease ended while down, back as itself, then passes and fails.
        health(0, 'a', 'passing', 'critical'),
        health(9, 'a', 'critical', 'passing'),
        health(9.5, 'a', 'passing', 'critical'),
        { at: at(10.3), kind: 'instance.lost', service: 'payments', instance: 'a', detail: 'lease expired' },
        { at: at(11), kind: 'instance.lost_cleared', service: 'payments', instance: 'a', returnedAs: 'a', detail: 'registered again as a' },
        health(12, 'a', 'critical', 'passing'),
        health(14, 'a', 'passing', 'critical'),
        // b: critical, then warning (still down) before the window; its recovery in it counts.
        health(8, 'b', 'passing', 'critical'),
        health(9, 'b', 'critical', 'warning'),
        health(12, 'b', 'warning', 'passing'),
        health(13, 'b', 'passing', 'critical'),
        health(15, 'b', 'critical', 'passing'),
      ];
      for (const row of rows) opened.append(row);
      await opened.flush();
      const nowMs = T0 + 20 * 60_000;
      const recorded = await readRecordedFlaps(opened, nowMs);
      // History's rule over every row, from the first.
      const everyRow = recentCriticalChanges((await opened.query({ limit: 100 })).events.reverse(), nowMs);
      expect(recorded.get('payments\0a')).toEqual(everyRow.get('payments\0a'));
      expect(recorded.get('payments\0a')?.changes).toEqual([T0 + 12 * 60_000, T0 + 14 * 60_000]);
      expect(recorded.get('payments\0b')).toEqual(everyRow.get('payments\0b'));
      expect(recorded.get('payments\0b')?.changes).toEqual([T0 + 12 * 60_000, T0 + 13 * 60_000, T0 + 15 * 60_000]);
    });

    it('reads the rows before the window only for the instances whose first row in it does not say whether they were down, 1,000 a query, the queries at once', async () => {
      const opened = await openHistory({ ...(await dialectStore.fresh()), flushMs: 5 });
      history = opened;
      const at = (minute: number): string => iso(T0 + minute * 60_000);
      const health = (minute: number, instance: string, from: Status, to: Status): NewHistoryEvent => ({ at: at(minute), kind: 'health.changed', service: 'payments', instance, from, to, detail: to });
      // u-0 … u-2499: critical before the window, then a restart's first verdict "unknown → critical" in it (no change: only the row before says so).
      const unknownFirst = Array.from({ length: 2_500 }, (_, index) => `u-${index}`);
      const rows: NewHistoryEvent[] = [
        ...unknownFirst.flatMap((instance) => [health(5, instance, 'passing', 'critical'), health(12, instance, 'unknown', 'critical')]),
        // p: from passing, not down before; c: from critical, down before.
        health(12, 'p', 'passing', 'critical'),
        health(5, 'c', 'passing', 'critical'),
        health(12, 'c', 'critical', 'passing'),
      ];
      for (const row of rows) opened.append(row);
      await opened.flush();
      const asked: string[] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const watched: Pick<History, 'query' | 'latestPerInstance'> = {
        query: (query) => opened.query(query),
        latestPerInstance: async (instances, kinds, beforeMs) => {
          asked.push(...instances.map(({ instance }) => instance));
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            return await opened.latestPerInstance(instances, kinds, beforeMs);
          } finally {
            inFlight -= 1;
          }
        },
      };
      const nowMs = T0 + 20 * 60_000;
      const recorded = await readRecordedFlaps(watched, nowMs);
      expect(asked.length).toBe(2_500);
      expect(asked).not.toContain('p');
      expect(asked).not.toContain('c');
      expect(mostInFlight).toBe(3);
      const everyRow = recentCriticalChanges((await opened.query({ limit: 10_000 })).events.reverse(), nowMs);
      for (const instance of ['u-0', 'u-2499', 'p', 'c']) expect(recorded.get(`payments\0${instance}`)).toEqual(everyRow.get(`payments\0${instance}`));
      expect(recorded.get('payments\0u-0')).toEqual({ changes: [], down: true, downByCalls: true });
      expect(recorded.get('payments\0c')?.changes).toEqual([T0 + 12 * 60_000]);
    });
});
