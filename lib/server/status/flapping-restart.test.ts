import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '@/lib/model/alerts/engine';
import { DEFAULT_ALERT_RULES } from '@/lib/model/alerts/rules';
import type { HistoryEvent } from '@/lib/model/events';
import { deriveIncidents } from '@/lib/model/incidents';
import type { LastProbe, Status } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { useTestStore } from '@/tests/support/store-dialects';
import { evaluationInput } from '../alerts/evaluation-input';
import { healthChangedEvent } from '../health';
import { openHistory, type History } from '../history/store';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from './publisher';
import { readRecordedFlaps } from './recorded-flaps';

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
    const recordedFlaps = readRecordedFlaps(opened, clock.now);
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps, onChange: (change) => opened.append(healthChangedEvent(change)) });
    running = { store, publisher };
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'payments', id: 'payments-1', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    publisher.registryListed();
    // The publisher took them as they came (it does not wait for them): read before any verdict, as at start-up.
    await recordedFlaps;
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
    publisher.probe(KEY, { status: to, statusCause: ok ? 'probe OK' : 'connection refused', lastProbe }, from === to ? undefined : { key: KEY, service: 'payments', instance: 'payments-1', from, to, cause: 'probe', at: iso(clock.now) });
    store.flush();
  };
  /** Probes and an evaluation every 5 s until `untilSecond`, as `statusOf(second)` says. */
  const runUntil = (untilSecond: number, statusOf: (second: number) => Status): void => {
    for (; clock.now < T0 + untilSecond * 1_000; clock.now += 5_000) {
      probe(statusOf((clock.now - T0) / 1_000));
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
  return { clock, transitions, start, restart, runUntil, pageCount, historyCount, summary };
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

  it('weighs the first verdict after a restart against what History left: critical when it stopped and passing after is a recovery on the page as in History', async () => {
    const { start, restart, runUntil, pageCount, historyCount } = await crashLoop();
    await start();
    // Changes at 20 (down), 60 (up), 80 (down): the server stops at 90 s, the instance critical.
    runUntil(90, loop(40, 20, 20));
    await restart();
    runUntil(95, () => 'passing');
    expect(pageCount()).toBe(4);
    expect(await historyCount()).toBe(4);
  });
});

describe('History read as the publisher starts', () => {
  const KEY_A = '/services/payments/a';
  function publisherWith(recordedFlaps: Promise<ReadonlyMap<string, { changes: number[]; down: boolean }>>) {
    const clock = { now: T0 };
    const store = createStore({ coalesceMs: 0, now: () => new Date(clock.now) });
    const logged: string[] = [];
    const publisher = createStatusPublisher({ store, now: () => new Date(clock.now), recordedFlaps, log: (line) => logged.push(line) });
    running = { store, publisher };
    store.upsertKey({ etcdKey: KEY_A, lease: undefined, registrations: [{ service: 'payments', id: 'a', address: '10.0.0.1:80', format: 'native', metadata: {} }] });
    store.flush();
    publisher.registryListed();
    const probe = (to: Status): void => {
      const from = store.instance(KEY_A)?.status ?? 'unknown';
      publisher.probe(KEY_A, { status: to, statusCause: to, lastProbe: { at: iso(clock.now), ok: to === 'passing', latencyMs: 1 } }, from === to ? undefined : { key: KEY_A, service: 'payments', instance: 'a', from, to, cause: 'probe', at: iso(clock.now) });
      store.flush();
    };
    return { clock, store, logged, probe };
  }

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
});
