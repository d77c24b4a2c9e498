import { afterEach, describe, expect, it } from 'vitest';
import type { IngestBatch } from '@/lib/model/ingest';
import { DEFAULT_TRAFFIC_THRESHOLDS } from '@/lib/model/status/combine';
import { toService } from '@/lib/model/state';
import { flappingOf } from '@/lib/model/status/flapping';
import { deriveTopology } from '@/lib/model/topology/topology';
import { probableOrigins } from '@/lib/model/topology/graph';
import type { HealthChange } from '../health';
import { createMetricsStore } from '../metrics-store/store';
import { createStore, type Store } from '../store/store';
import { createStatusPublisher, type StatusPublisher } from './publisher';
import { evaluateTraffic } from './traffic';

const KEY = '/services/orders/orders-1';
const T0 = Date.parse('2026-12-03T09:00:00Z');
let store: Store;
let publisher: StatusPublisher;
afterEach(() => {
  publisher.stop();
  store.close();
});

function setup() {
  store = createStore({ coalesceMs: 0 });
  store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'orders', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
  store.flush();
  const changes: HealthChange[] = [];
  publisher = createStatusPublisher({ store, onChange: (change) => changes.push(change), now: () => new Date(T0) });
  publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK', statusSince: new Date(T0).toISOString() }, undefined);
  changes.length = 0;
  return changes;
}

/** One second of calls to orders-1 at `second` after T0, `errors` of `count` failing, all taking about `latencyMs`. */
const second = (at: number, count: number, errors: number, latencyMs: number): IngestBatch => ({
  reporter: { service: 'web', instance: 'web-1' },
  intervalStart: new Date(T0 + at * 1_000).toISOString(),
  intervalSeconds: 1,
  calls: [{ to: 'orders', toInstance: 'orders-1', count, errors, latencyMs: { bounds: [latencyMs], counts: [count, 0] } }],
});

/** A metrics store on a clock of its own from T0, and `judge`: the traffic verdict on it, as the runtime asks for it. */
function judgedTraffic() {
  const clock = { t: T0 };
  const latency = createMetricsStore({ now: () => clock.t });
  const judge = () => evaluateTraffic({ store, latency, publisher, thresholdsFor: () => DEFAULT_TRAFFIC_THRESHOLDS });
  /** Ten calls at ~20 ms to orders-1 in `s`, the `s`-th second after T0, `errors` of them failing, reported as it ends. */
  const report = (s: number, errors: number): void => {
    clock.t = T0 + (s + 1) * 1_000;
    latency.ingest(second(s, 10, errors, 20));
  };
  return { clock, latency, judge, report };
}

/** `count` calls a second to orders-1 at ~`usualMs` for ten minutes (the baseline), then 30 s at ~`thenMs`, into `latency` on `clock`, swept every 5 s. */
function tenMinutesThen(latency: ReturnType<typeof createMetricsStore>, clock: { t: number }, count: number, usualMs: number, thenMs: number): void {
  for (let s = 0; s < 630; s += 1) {
    clock.t = T0 + (s + 1) * 1_000;
    latency.ingest(second(s, count, 0, s < 600 ? usualMs : thenMs));
    if (s % 5 === 0) latency.sweep();
  }
}

describe('one status from probes and traffic', () => {
  it('makes a passing instance critical while 60 % of its calls fail, with the error cause, and passing again after', () => {
    const changes = setup();
    const { judge, report } = judgedTraffic();
    for (let s = 0; s < 30; s += 1) report(s, 6);
    judge();
    expect(store.instance(KEY)).toMatchObject({ status: 'critical', statusCause: 'error rate 60 % over 30 s (threshold 25 %)', statusCauseKind: 'error_rate' });
    expect(changes.map((c) => `${c.from}→${c.to}: ${c.cause}`)).toEqual(['passing→critical: error rate 60 % over 30 s (threshold 25 %)']);
    // Recovered: 30 s of clean calls later, the probe's own verdict is back.
    for (let s = 30; s < 61; s += 1) report(s, 0);
    judge();
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
    expect(changes).toHaveLength(2);
  });

  it('says in the recovery what recovered: the error rate, not the probe that never failed', () => {
    const changes = setup();
    const { judge, report } = judgedTraffic();
    for (let s = 0; s < 30; s += 1) report(s, 6);
    judge();
    // Ten clean seconds end the verdict early, while the 30 s window still holds the failures.
    for (let s = 30; s < 41; s += 1) report(s, 0);
    judge();
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
    expect(changes.map((c) => `${c.from}→${c.to}: ${c.cause}`)).toEqual(['passing→critical: error rate 60 % over 30 s (threshold 25 %)', 'critical→passing: error rate 0 % over the last 10 s (threshold 5.0 %)']);
  });

  it('says a recovery because the calls stopped so, and a probe’s own recovery stays the probe’s', () => {
    const changes = setup();
    const { clock, latency, judge, report } = judgedTraffic();
    for (let s = 0; s < 30; s += 1) report(s, 9);
    judge();
    clock.t = T0 + 120_000;
    latency.sweep();
    judge();
    expect(changes.at(-1)?.cause).toBe('no calls reported in the last 30 s');
    publisher.probe(KEY, { status: 'critical', statusCause: 'connection refused' }, undefined);
    publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK' }, undefined);
    expect(changes.at(-1)?.cause).toBe('probe OK');
  });

  it('ends an error verdict when the calls stop altogether (an instance with no calls in the window says nothing)', () => {
    setup();
    const { clock, latency, judge, report } = judgedTraffic();
    for (let s = 0; s < 30; s += 1) report(s, 9);
    judge();
    expect(store.instance(KEY)?.status).toBe('critical');
    // Nobody calls it any more: a minute later its window is empty.
    clock.t = T0 + 120_000;
    latency.sweep();
    judge();
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
  });

  it('does not flap through a steady outage when the instance takes a call every few seconds (its window holding 9, then 10, then 9 calls)', () => {
    const changes = setup();
    const { clock, latency, judge } = judgedTraffic();
    // A call every 2, 3 or 4 s, every other one failing, for two minutes; judged every 5 s as the runtime does.
    const gaps = [2, 3, 4, 3, 4, 2, 4, 3];
    const statuses: string[] = [];
    let call = 0;
    let next = 0;
    for (let s = 0; s < 120; s += 1) {
      clock.t = T0 + (s + 1) * 1_000;
      if (s === next) {
        latency.ingest(second(s, 1, call % 2, 20));
        next += gaps[call % gaps.length] ?? 3;
        call += 1;
      }
      if ((s + 1) % 5 === 0) {
        judge();
        statuses.push(store.instance(KEY)?.status ?? 'none');
      }
    }
    expect(statuses.slice(statuses.indexOf('critical'))).toEqual(Array(statuses.length - statuses.indexOf('critical')).fill('critical'));
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['passing→critical']);
  });

  it('warns when p95 is 10× the service\u2019s usual, naming both', () => {
    setup();
    const { clock, latency, judge } = judgedTraffic();
    // Ten minutes at ~20 ms make the baseline, then 30 s at ~200 ms.
    tenMinutesThen(latency, clock, 10, 20, 200);
    judge();
    const instance = store.instance(KEY);
    expect(instance?.status).toBe('warning');
    expect(instance?.statusCause).toMatch(/^p95 \d+ ms, \d+(\.\d)?× its usual \d+ ms$/);
  });

  it('holds one latency warning through a slow spell whose p95 hovers at 3× the usual, whose window holds just under 50 calls, or that comes in bursts, and ends it once fast again', () => {
    const changes = setup();
    const { clock, latency, judge } = judgedTraffic();
    /** Calls per second and their latency at second `s`: ten minutes at 100 ms, a slow spell, then fast again. */
    const traffic = (s: number): { count: number; latencyMs: number } => {
      if (s < 600) return { count: 2, latencyMs: 100 };
      // 35 s at 3.3× the usual, then 35 s at 2.6×, twice.
      if (s < 740) return { count: 2, latencyMs: Math.floor((s - 600) / 35) % 2 === 0 ? 330 : 260 };
      // 3.3× throughout, the window holding 40–60 calls (one call a second, then two, every 10 s).
      if (s < 860) return { count: Math.floor(s / 10) % 2 === 0 ? 1 : 2, latencyMs: 330 };
      // Bursts: 10 s at 3.3×, 10 s at the usual, for two minutes.
      if (s < 980) return { count: 2, latencyMs: Math.floor(s / 10) % 2 === 0 ? 330 : 100 };
      return { count: 2, latencyMs: 100 };
    };
    const statuses: string[] = [];
    for (let s = 0; s < 1_080; s += 1) {
      clock.t = T0 + (s + 1) * 1_000;
      const { count, latencyMs } = traffic(s);
      // Each call in a 2 ms bucket, so the p95 is the latency given (a single bound spreads them from 0).
      latency.ingest({ ...second(s, count, 0, latencyMs), calls: [{ to: 'orders', toInstance: 'orders-1', count, errors: 0, latencyMs: { bounds: [latencyMs - 2, latencyMs], counts: [0, count, 0] } }] });
      if (s % 5 === 0) latency.sweep();
      if (s >= 600 && (s + 1) % 5 === 0) {
        judge();
        statuses.push(store.instance(KEY)?.status ?? 'none');
      }
    }
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['passing→warning', 'warning→passing']);
    expect(statuses.at(-1)).toBe('passing');
  });

  it('judges latency over the whole service: a 10× spike on two instances that each see too few calls gives both, and the service, one cause', () => {
    setup();
    const KEY2 = '/services/orders/orders-2';
    store.upsertKey({ etcdKey: KEY2, lease: undefined, registrations: [{ service: 'orders', id: 'orders-2', address: '127.0.0.1:2', format: 'native', metadata: {} }] });
    store.flush();
    publisher.probe(KEY2, { status: 'passing', statusCause: 'probe OK' }, undefined);
    const { clock, latency, judge } = judgedTraffic();
    // One call a second to each instance (30 in the window each, under latencyMinCalls; 60 for the service).
    for (let s = 0; s < 630; s += 1) {
      clock.t = T0 + (s + 1) * 1_000;
      for (const id of ['orders-1', 'orders-2']) {
        latency.ingest({ ...second(s, 1, 0, s < 600 ? 20 : 200), calls: [{ to: 'orders', toInstance: id, count: 1, errors: 0, latencyMs: { bounds: [s < 600 ? 20 : 200], counts: [1, 0] } }] });
      }
      if (s % 5 === 0) latency.sweep();
    }
    judge();
    const cause = store.instance(KEY)?.statusCause ?? '';
    expect(cause).toMatch(/^p95 1\d\d ms, \d+(\.\d)?× its usual 1\d ms$/);
    expect(store.instance(KEY2)).toMatchObject({ status: 'warning', statusCause: cause });
    const instances = new Map([KEY, KEY2].flatMap((key) => store.instance(key) ?? []).map((instance) => [instance.key, instance] as const));
    expect(toService('orders', instances)).toMatchObject({ status: 'warning', cause });
  });

  it('does not warn on the jitter of a quiet service: a slow tail over few calls, or a fast service a few ms slower', () => {
    setup();
    const { clock, latency, judge } = judgedTraffic();
    // One call a second at ~20 ms for ten minutes, then 30 s at ~80 ms: 4×, but 30 calls are too few.
    tenMinutesThen(latency, clock, 1, 20, 80);
    judge();
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
    // Ten calls a second at ~4 ms, then 30 s at ~16 ms: 4× over 300 calls, but only 12 ms more.
    const fast = createMetricsStore({ now: () => clock.t });
    tenMinutesThen(fast, clock, 10, 4, 16);
    evaluateTraffic({ store, latency: fast, publisher, thresholdsFor: () => DEFAULT_TRAFFIC_THRESHOLDS });
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', statusCause: 'probe OK' });
  });

  it('ends a traffic verdict on an instance not probed yet instead of keeping it as its probe status', () => {
    store = createStore({ coalesceMs: 0 });
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'orders', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
    publisher = createStatusPublisher({ store, now: () => new Date(T0) });
    publisher.traffic(KEY, { status: 'critical', cause: 'error rate 60 % over 30 s (threshold 25 %)', kind: 'error_rate' });
    expect(store.instance(KEY)?.status).toBe('critical');
    publisher.traffic(KEY, null);
    expect(store.instance(KEY)).toMatchObject({ status: 'unknown', statusCause: 'not probed yet' });
  });

  it('keeps the probe verdict when it is the worse one', () => {
    setup();
    publisher.traffic(KEY, { status: 'warning', cause: 'error rate 6 % over 30 s (threshold 5 %)', kind: 'error_rate' });
    publisher.probe(KEY, { status: 'critical', statusCause: 'HTTP 503' }, undefined);
    expect(store.instance(KEY)).toMatchObject({ status: 'critical', statusCause: 'HTTP 503' });
  });

  it('passes on when the probes that turned it critical began failing, and only when they decided the change', () => {
    const changes = setup();
    const at = (s: number): string => new Date(T0 + s * 1_000).toISOString();
    const critical = (s: number): HealthChange => ({ key: KEY, service: 'orders', instance: 'orders-1', from: 'passing', to: 'critical', cause: 'HTTP 503', at: at(s), firstFailedAt: at(s - 10) });
    publisher.probe(KEY, { status: 'critical', statusCause: 'HTTP 503' }, critical(20));
    expect(changes.map((c) => [c.to, c.at, c.firstFailedAt])).toEqual([['critical', at(20), at(10)]]);
    // Critical on its error rate first: the probes' later verdict is no change; passing again, none says so.
    publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK' }, undefined);
    publisher.traffic(KEY, { status: 'critical', cause: 'error rate 60 % over 30 s (threshold 25 %)', kind: 'error_rate' });
    expect(changes.at(-1)).not.toHaveProperty('firstFailedAt');
  });
});

describe('passing in this run', () => {
  it('stamps when an instance turns passing, and a service that never passed since start is no origin', () => {
    store = createStore({ coalesceMs: 0 });
    const clock = { t: T0 };
    publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
    const register = (service: string, dependsOn: string[]): string => {
      const key = `/services/${service}/${service}-1`;
      store.upsertKey({ etcdKey: key, lease: undefined, registrations: [{ service, id: `${service}-1`, address: `127.0.0.1:${service.length}`, format: 'native', metadata: {}, dependsOn }] });
      return key;
    };
    // Left by an earlier run: web → orders → payments, all unreachable since this run started.
    const keys = { web: register('web', ['orders']), orders: register('orders', ['payments']), payments: register('payments', []) };
    store.flush();
    const topology = () => {
      const byService = new Map<string, Map<string, NonNullable<ReturnType<Store['instance']>>>>();
      for (const instance of store.instances()) byService.set(instance.service, new Map([[instance.key, instance]]));
      return deriveTopology([...byService].map(([name, instances]) => toService(name, instances)));
    };
    for (const key of Object.values(keys)) publisher.probe(key, { status: 'critical', statusCause: 'connection refused' }, undefined);
    expect(store.instance(keys.payments)?.passedAt).toBeUndefined();
    expect(probableOrigins(topology(), { now: clock.t })).toEqual([]);

    // This run: all three pass, then payments fails and its callers with it: payments is the origin.
    clock.t = T0 + 60_000;
    for (const key of Object.values(keys)) publisher.probe(key, { status: 'passing', statusCause: 'probe OK' }, undefined);
    expect(store.instance(keys.payments)?.passedAt).toBe(new Date(T0 + 60_000).toISOString());
    clock.t = T0 + 120_000;
    for (const key of Object.values(keys)) publisher.probe(key, { status: 'critical', statusCause: 'HTTP 503' }, undefined);
    expect(store.instance(keys.payments)?.passedAt).toBe(new Date(T0 + 60_000).toISOString());
    expect(probableOrigins(topology(), { now: clock.t }).map((origin) => origin.id)).toEqual(['payments']);
  });
});

/** orders-1 alone, its status published on a clock set by each probe (`seconds` after T0). */
function orders1ProbedBy() {
  store = createStore({ coalesceMs: 0 });
  store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'orders', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
  store.flush();
  const clock = { t: T0 };
  publisher = createStatusPublisher({ store, now: () => new Date(clock.t) });
  const at = (seconds: number): string => new Date(T0 + seconds * 1_000).toISOString();
  const probe = (seconds: number, status: 'passing' | 'warning' | 'critical'): void => {
    clock.t = T0 + seconds * 1_000;
    publisher.probe(KEY, { status, statusCause: status }, undefined);
  };
  return { at, probe, clock };
}

describe('when a failure began and when it ended', () => {
  it('keeps when an instance left passing through steps between warning and critical, and stamps its recovery', () => {
    const { at, probe } = orders1ProbedBy();

    probe(0, 'passing');
    expect(store.instance(KEY)).not.toHaveProperty('recoveredAt');
    probe(10, 'warning');
    probe(20, 'critical');
    probe(30, 'warning');
    expect(store.instance(KEY)).toMatchObject({ status: 'warning', statusSince: at(30), failingSince: at(10) });
    probe(40, 'passing');
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', recoveredAt: at(40) });
    expect(store.instance(KEY)).not.toHaveProperty('failingSince');
    probe(50, 'critical');
    expect(store.instance(KEY)).toMatchObject({ failingSince: at(50), recoveredAt: at(40) });
  });

  it('does not call a first pass from unknown a recovery; a pass after failing is one, even never having passed (its incident ends there)', () => {
    store = createStore({ coalesceMs: 0 });
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'orders', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
    store.upsertKey({ etcdKey: '/services/orders/orders-2', lease: undefined, registrations: [{ service: 'orders', id: 'orders-2', address: '127.0.0.1:2', format: 'native', metadata: {} }] });
    store.flush();
    publisher = createStatusPublisher({ store, now: () => new Date(T0) });
    publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK' }, undefined);
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', passedAt: new Date(T0).toISOString() });
    expect(store.instance(KEY)).not.toHaveProperty('recoveredAt');
    publisher.probe('/services/orders/orders-2', { status: 'critical', statusCause: 'connection refused' }, undefined);
    publisher.probe('/services/orders/orders-2', { status: 'passing', statusCause: 'probe OK' }, undefined);
    expect(store.instance('/services/orders/orders-2')).toMatchObject({ status: 'passing', passedAt: new Date(T0).toISOString(), recoveredAt: new Date(T0).toISOString() });
  });
});

describe('flapping', () => {
  it('keeps when the status went into or out of critical, whichever signal decided it, so a recovery that did not hold reads as flapping', () => {
    const { at, probe, clock } = orders1ProbedBy();
    // The demo's `flapping` health: critical after 3 failed probes, passing after 2, each half 15 s.
    probe(0, 'passing');
    probe(12, 'critical');
    probe(27, 'passing');
    // Two changes cannot flap yet: the instance (sent on every update) carries none.
    expect(store.instance(KEY)).not.toHaveProperty('criticalChangesMs');
    // A step to warning is no change into or out of critical; an error-rate critical is one.
    probe(35, 'warning');
    probe(42, 'critical');
    publisher.traffic(KEY, { status: 'critical', cause: 'error rate 60 %', kind: 'error_rate' });
    probe(57, 'passing');
    clock.t = T0 + 60_000;
    publisher.traffic(KEY, null);
    expect(store.instance(KEY)).toMatchObject({ status: 'passing', recoveredAt: at(60), criticalChangesMs: [12, 27, 42, 60].map((s) => T0 + s * 1_000) });
    expect(flappingOf(store.instance(KEY)?.criticalChangesMs, T0 + 61_000)).toEqual({ changes: 4, since: T0 + 12_000, last: T0 + 60_000 });
    // Steady for the window: pruned as the instance is next written, so its updates stop carrying them.
    probe(60 + 600, 'passing');
    expect(store.instance(KEY)).not.toHaveProperty('criticalChangesMs');
  });
});

describe('calls reported once a minute (an OpenTelemetry SDK on its default export interval)', () => {
  /** At each of `arrivals` (default: every 60 s) one report of the seconds since the one before: 10 calls a second, `errors` a second failing; judged every 5 s as the server does. */
  const run = (until: number, errorsInReportAt: (second: number) => number | null, arrivals: readonly number[] = Array.from({ length: Math.floor(until / 60) }, (_, i) => (i + 1) * 60)) => {
    store = createStore({ coalesceMs: 0 });
    store.upsertKey({ etcdKey: KEY, lease: undefined, registrations: [{ service: 'orders', id: 'orders-1', address: '127.0.0.1:1', format: 'native', metadata: {} }] });
    store.flush();
    const clock = { t: T0 };
    const changes: HealthChange[] = [];
    publisher = createStatusPublisher({ store, onChange: (change) => changes.push(change), now: () => new Date(clock.t) });
    publisher.probe(KEY, { status: 'passing', statusCause: 'probe OK' }, undefined);
    changes.length = 0;
    const latency = createMetricsStore({ now: () => clock.t });
    for (let t = 0; t <= until; t += 1) {
      clock.t = T0 + t * 1_000;
      const index = arrivals.indexOf(t);
      const errors = index >= 0 ? errorsInReportAt(t) : null;
      if (errors !== null) {
        const seconds = t - (arrivals[index - 1] ?? 0);
        latency.ingest({
          reporter: { service: 'web', instance: 'web-1' },
          intervalStart: new Date(T0 + (t - seconds) * 1_000).toISOString(),
          intervalSeconds: seconds,
          calls: [{ to: 'orders', toInstance: 'orders-1', count: 10 * seconds, errors: errors * seconds, latencyMs: { bounds: [20], counts: [10 * seconds, 0] } }],
        });
      }
      if (t % 5 === 0) evaluateTraffic({ store, latency, publisher, thresholdsFor: () => DEFAULT_TRAFFIC_THRESHOLDS });
    }
    return changes.map((change) => `${(Date.parse(change.at) - T0) / 1_000} s ${change.from}→${change.to}`);
  };

  it('holds a steady outage critical instead of flapping between reports', () => {
    expect(run(400, () => 6)).toEqual(['60 s passing→critical']);
  });

  it('holds it through reports that come a few seconds early or late', () => {
    expect(run(400, () => 6, [60, 118, 181, 238, 302, 357])).toEqual(['60 s passing→critical']);
  });

  it('clears with the first clean report', () => {
    expect(run(400, (second) => (second <= 180 ? 6 : 0))).toEqual(['60 s passing→critical', '240 s critical→passing']);
  });

  it('ends the verdict once the next report is overdue: the calls, or their reporter, stopped', () => {
    const changes = run(400, (second) => (second <= 180 ? 6 : null));
    expect(changes).toHaveLength(2);
    const ended = Number.parseInt(changes[1] ?? '', 10);
    // The next report was due at 240 s; overdue by half a lag (30 s) it no longer holds the verdict.
    expect(ended).toBeGreaterThan(240);
    expect(ended).toBeLessThanOrEqual(275);
  });
});
