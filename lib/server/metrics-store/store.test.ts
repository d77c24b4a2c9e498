import { describe, expect, it } from 'vitest';
import type { IngestBatch } from '@/lib/model/ingest';
import { probableOrigins } from '@/lib/model/topology/graph';
import { deriveTopologyFromSummaries } from '@/lib/model/topology/topology';
import { FIELDS } from './closed-ring';
import { RELATIVE_ACCURACY } from './histogram';
import { createMetricsStore, type MetricsStore } from './store';
import { edgeKey, serviceKey } from './series-key';

/** Deterministic PRNG so the samples (and the test) are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const exactQuantile = (sorted: number[], q: number): number => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;

function histogram(samples: number[], bounds: number[]): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const sample of samples) {
    const found = bounds.findIndex((bound) => sample <= bound);
    const i = found === -1 ? bounds.length : found;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts;
}

const T0 = Date.parse('2026-11-21T10:00:00Z');
const batch = (service: string, instance: string, calls: IngestBatch['calls'], start = T0 - 5_000, seconds = 5): IngestBatch => ({
  reporter: { service, instance },
  intervalStart: new Date(start).toISOString(),
  intervalSeconds: seconds,
  calls,
});

/** No edge, no pair and nothing of them on the map: neither their callers nor the names only calls mention. */
function expectNoEdges(store: MetricsStore): void {
  expect(store.edges()).toEqual([]);
  expect(store.edgePairs()).toEqual([]);
  expect(deriveTopologyFromSummaries([], store.edges())).toEqual({ nodes: [], edges: [] });
}

describe('metrics store', () => {
  it("feeds the callee's series a report's calls are for: service and instance, its service alone (an instance lost), or only the edge", () => {
    const store = createMetricsStore({ now: () => T0 });
    const calls = ['a', 'b', 'c'].map((to) => ({ to, toInstance: `${to}-1`, count: 10, errors: 1, latencyMs: { bounds: [5, 10], counts: [4, 5, 1] } }));
    const feeds = { a: 'service and instance', b: 'service', c: 'none' } as const;
    store.ingest(batch('web', 'web-1', calls), (service) => feeds[service as keyof typeof feeds]);
    const total = (points: { rps: number }[]): number => points.reduce((sum, point) => sum + point.rps, 0);
    expect(['a', 'b', 'c'].map((to) => [total(store.service(to, '5m')), total(store.instance(to, `${to}-1`, '5m')), total(store.edge('web', to, '5m'))])).toEqual([
      [10, 10, 10],
      [10, 0, 10],
      [0, 0, 10],
    ]);
  });

  it('reads the clock once per batch, not once per series it feeds', () => {
    let reads = 0;
    const store = createMetricsStore({ now: () => ((reads += 1), T0) });
    const calls = Array.from({ length: 20 }, (_, i) => ({ to: `svc-${i}`, toInstance: `svc-${i}-1`, count: 10, errors: 0, latencyMs: { bounds: [5, 10], counts: [4, 5, 1] } }));
    expect(store.ingest(batch('caller', 'caller-1', calls))).toMatchObject({ ok: true, calls: 20 });
    expect(reads).toBe(1);
    expect(store.stats().series).toBe(60);
  });

  it('hands closed minutes over only while it persists them (a replica that does not lead collects nothing)', () => {
    let clock = T0;
    let leads = false;
    const handed: number[] = [];
    const store = createMetricsStore({ now: () => clock, onMinutesClosed: (closed) => handed.push(closed.keys.length), persistsMinutes: () => leads });
    store.recordProbe('/services/a/1', T0, 5, true);
    clock = T0 + 10 * 60_000;
    store.sweep();
    expect(handed).toEqual([]);
    leads = true;
    store.recordProbe('/services/a/1', clock, 5, true);
    clock += 10 * 60_000;
    store.sweep();
    expect(handed).toEqual([1]);
  });

  it('merges histograms from reporters with different buckets into percentiles within the bucket error bound', () => {
    const random = mulberry32(42);
    const schemes = [
      [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987],
      Array.from({ length: 40 }, (_, i) => Math.round(1.2 ** i * 100) / 100),
    ];
    const store = createMetricsStore({ now: () => T0 });
    const all: number[] = [];
    schemes.forEach((bounds, reporter) => {
      // Log-normal latencies with a long tail, a different median per reporter.
      const samples = Array.from({ length: 4_000 }, () => Math.exp(Math.log(8 + reporter * 6) + 0.9 * Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random())));
      all.push(...samples);
      const outcome = store.ingest(batch(`caller-${reporter}`, 'i-1', [{ to: 'orders', count: samples.length, errors: 0, latencyMs: { bounds, counts: histogram(samples, bounds) } }]));
      expect(outcome.ok).toBe(true);
    });
    all.sort((a, b) => a - b);
    const minute = store.service('orders', '1h').find((p) => p.p50Ms !== null);
    expect(minute).toBeDefined();
    for (const [q, field] of [[0.5, 'p50Ms'], [0.95, 'p95Ms'], [0.99, 'p99Ms']] as const) {
      const exact = exactQuantile(all, q);
      // The widest bucket around the exact value among the schemes bounds each sample's displacement.
      const width = Math.max(...schemes.map((bounds) => {
        const i = bounds.findIndex((b) => exact <= b);
        return i <= 0 ? (bounds[0] as number) : (bounds[i] as number) - (bounds[i - 1] as number);
      }));
      const estimate = minute?.[field] as number;
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(width + exact * RELATIVE_ACCURACY);
    }
  });

  it('spreads an interval over its seconds and reports rate and error rate', () => {
    const store = createMetricsStore({ now: () => T0 });
    store.ingest(batch('gateway', 'g-1', [{ to: 'users', toInstance: 'u-1', count: 50, errors: 5, latencyMs: { bounds: [10, 100], counts: [40, 10, 0] } }]));
    const points = store.service('users', '5m').filter((p) => p.rps > 0);
    expect(points).toHaveLength(5);
    for (const point of points) {
      expect(point.rps).toBeCloseTo(10);
      expect(point.errorRate).toBeCloseTo(0.1);
    }
    expect(store.instance('users', 'u-1', '5m').filter((p) => p.rps > 0)).toHaveLength(5);
    expect(store.edge('gateway', 'users', '5m').filter((p) => p.rps > 0)).toHaveLength(5);
    expect(store.edges()).toEqual([expect.objectContaining({ from: 'gateway', to: 'users', errorRate: expect.closeTo(0.1) })]);
  });

  it('gives an edge with errors its last 30 s too: an outage under way is diluted in the minute', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    // 35 s of clean calls, then 25 s of nothing but failures (payments went down): 10 a second.
    store.ingest(batch('orders', 'o-1', [{ to: 'payments', count: 350, errors: 0, latencyMs: { bounds: [10], counts: [350, 0] } }], T0 - 60_000, 35));
    store.ingest(batch('orders', 'o-1', [{ to: 'payments', count: 250, errors: 250, latencyMs: { bounds: [10], counts: [250, 0] } }], T0 - 25_000, 25));
    clock = T0;
    const [edge] = store.edges();
    expect(edge?.errorRate).toBeCloseTo(250 / 600, 1);
    expect((edge?.recentErrors ?? 0) / (edge?.recentCalls ?? 1)).toBeGreaterThan(0.8);
  });

  it('says an edge whose last 10 s of calls are clean is over its errors, though they are still in its minute', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    // 20 s of calls, half failing, then clean ones: 10 a second.
    store.ingest(batch('gateway', 'g-1', [{ to: 'users', count: 200, errors: 100, latencyMs: { bounds: [10], counts: [200, 0] } }], T0 - 20_000, 20));
    expect(store.edges()[0]).not.toHaveProperty('recovered');
    clock = T0 + 5_000;
    store.ingest(batch('gateway', 'g-1', [{ to: 'users', count: 50, errors: 0, latencyMs: { bounds: [10], counts: [50, 0] } }], T0, 5));
    // 5 clean seconds, and the 5 before them failing: not yet.
    expect(store.edges()[0]).not.toHaveProperty('recovered');
    clock = T0 + 10_000;
    store.ingest(batch('gateway', 'g-1', [{ to: 'users', count: 50, errors: 0, latencyMs: { bounds: [10], counts: [50, 0] } }], T0 + 5_000, 5));
    expect(store.edges()[0]).toMatchObject({ errorRate: expect.closeTo(100 / 300), recovered: true });
  });

  it('says an edge with errors is over them, quietly, once it has had no calls for 30 s: not sooner, not during a once-a-minute reporter\'s quiet minute, not between bursts under 30 s apart', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    const failing = (from: string, to: string, count: number, start: number, seconds: number): IngestBatch => batch(from, `${from}-1`, [{ to, count, errors: count, latencyMs: { bounds: [10], counts: [count, 0] } }], start, seconds);
    const edge = (from: string) => store.edges().find((found) => found.from === from);
    // Every second for 20 s, all failing, then nothing (the caller and the callee both gone).
    for (let t = T0 - 19_000; t <= T0; t += 1_000) {
      clock = t;
      store.ingest(failing('shop', 'stock', 20, t - 1_000, 1));
    }
    // One report a minute, half failing (an OpenTelemetry SDK's default interval).
    store.ingest(batch('gateway', 'gateway-1', [{ to: 'postgres', count: 600, errors: 300, latencyMs: { bounds: [10], counts: [600, 0] } }], T0 - 60_000, 60));
    // Bursts 20 s apart, all failing.
    for (const burst of [0, 20, 40]) {
      clock = T0 + burst * 1_000;
      store.ingest(failing('cron', 'jobs', 30, clock - 1_000, 1));
      if (burst === 20) expect(edge('shop')).not.toHaveProperty('recovered');
    }
    clock = T0 + 31_000;
    expect(edge('shop')).toMatchObject({ errorRate: 1, recovered: true, quiet: true });
    clock = T0 + 45_000;
    expect(edge('gateway')).not.toHaveProperty('recovered');
    expect(edge('gateway')?.errorRate).toBeCloseTo(0.5);
    clock = T0 + 59_000;
    expect(edge('cron')).not.toHaveProperty('recovered');
  });

  it('gives a removed service whose callers are gone too no verdict from calls once nobody has called it for 30 s, not a minute', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    // Both deregistered (no summaries): front → shop failing 60 %, shop → stock 100 %, every second for 30 s, then silence.
    for (let t = T0 - 29_000; t <= T0; t += 1_000) {
      clock = t;
      store.ingest(batch('front', 'front-1', [{ to: 'shop', count: 20, errors: 12, latencyMs: { bounds: [10], counts: [20, 0] } }], t - 1_000, 1));
      store.ingest(batch('shop', 'shop-1', [{ to: 'stock', count: 20, errors: 20, latencyMs: { bounds: [10], counts: [20, 0] } }], t - 1_000, 1));
    }
    const at = (seconds: number) => {
      clock = T0 + seconds * 1_000;
      const topology = deriveTopologyFromSummaries([], store.edges());
      return { origins: probableOrigins(topology, { now: clock }), stock: topology.nodes.find((node) => node.id === 'stock') };
    };
    // While their calls may still be arriving, the failure stands — but with nothing registered, calls alone name no origin.
    const failing = at(5);
    expect(failing.stock?.status).toBe('critical');
    expect(failing.origins).toEqual([]);
    // Nobody has called for 30 s: no verdict from calls (until this, the minute's errors kept it for 59 s).
    expect(at(31).stock?.status).toBe('unknown');
  });

  it("gives an edge reported once a minute its last report's rate until the next is overdue, not the part of it inside the last minute", () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    // One report of the minute before T0: 10 calls a second, a fifth failing.
    store.ingest(batch('gateway', 'g-1', [{ to: 'users', count: 600, errors: 120, latencyMs: { bounds: [10], counts: [600, 0] } }], T0 - 60_000, 60));
    for (const after of [0, 30_000, 59_000, 80_000]) {
      clock = T0 + after;
      expect(store.edges()[0], `${after} ms after`).toMatchObject({ rps: expect.closeTo(10), errorRate: expect.closeTo(0.2) });
    }
    // Overdue by more than half its lag: the calls stopped, and the minute ending now holds none of them (listed idle, held).
    clock = T0 + 100_000;
    expect(store.edges()).toEqual([expect.objectContaining({ from: 'gateway', to: 'users', rps: 0, errorRate: null })]);
  });

  it('keeps an edge this run saw calls on, idle (no calls, no latency), for 15 min after its last call: a callee that hangs reports no calls', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    // Six minutes of web → inventory every 5 s (its usual p95 known), then nothing: inventory hangs, its calls never finish.
    for (let start = T0; start < T0 + 6 * 60_000; start += 5_000) {
      clock.t = start + 5_000;
      store.ingest(batch('web', 'web-1', [{ to: 'inventory', count: 50, errors: 0, latencyMs: { bounds: [20], counts: [50, 0] } }], start, 5));
      store.sweep();
    }
    expect(store.edges()[0]).toMatchObject({ from: 'web', to: 'inventory', baselineP95Ms: expect.any(Number) });
    const lastEnd = T0 + 6 * 60_000;
    for (const after of [61_000, 5 * 60_000, 15 * 60_000]) {
      clock.t = lastEnd + after;
      store.sweep();
      expect(store.edges(), `${after} ms after`).toEqual([{ from: 'web', to: 'inventory', rps: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null, baselineP95Ms: expect.any(Number) }]);
      expect(store.edgePairs()).toEqual([{ from: 'web', to: 'inventory' }]);
    }
    // Past the hold: its usual p95 alone keeps neither the edge nor its not-registered ends on the map.
    clock.t = lastEnd + 15 * 60_000 + 1_000;
    expectNoEdges(store);
  });

  it('lets an edge go 15 min after its last call, the store taking no status: a caller failing an hour later does not bring back the names it called as "not registered"', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    store.ingest(batch('orders', 'orders-1', [{ to: 'payments', count: 50, errors: 0, latencyMs: { bounds: [20], counts: [50, 0] } }], T0 - 5_000, 5));
    store.ingest(batch('orders', 'orders-1', [{ to: 'postgres', count: 50, errors: 0, latencyMs: { bounds: [20], counts: [50, 0] } }], T0 - 5_000, 5));
    // Orders fails (warning or critical) an hour later, for reasons of its own: its calls of an hour ago say nothing of it.
    clock.t = T0 + 60 * 60_000;
    store.sweep();
    expectNoEdges(store);
  });

  it('keeps a low-rate edge listed between its calls: one call every 2 min reported every 5 s', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    const listed: boolean[] = [];
    for (let start = T0; start < T0 + 8 * 60_000; start += 5_000) {
      clock.t = start + 5_000;
      const calls = (start - T0) % 120_000 === 0 ? [{ to: 'stripe-api', count: 1, errors: 0, latencyMs: { bounds: [200], counts: [1, 0] } }] : [];
      store.ingest(batch('billing', 'billing-1', calls, start, 5));
      store.sweep();
      listed.push(store.edges().length === 1 && store.edgePairs().length === 1);
    }
    expect(listed.every(Boolean)).toBe(true);
  });

  it("draws the minutes an earlier run persisted in the 5 and 15 min windows, at their rate and percentiles, before this run's seconds begin, adding this run's calls of the same minutes to them", () => {
    // Restarted 20 s into the minute T0.
    const clock = { t: T0 + 20_000 };
    const persisted = new Map<string, number>();
    const store = createMetricsStore({
      now: () => clock.t,
      onMinutesClosed: (closed) => closed.keys.forEach((key, i) => persisted.set(`${key}@${closed.minuteStarts[i]}`, closed.fields[i * FIELDS] as number)),
    });
    const m0 = T0 / 1_000;
    const restorePay = store.restorerFor(serviceKey('pay'));
    restorePay(m0 - 180, [600, 6, 10, 20, 30]);
    restorePay(m0 - 60, [1_200, 0, 11, 21, 31]);
    restorePay(m0, [100, 0, 12, 22, 32]);
    // The minute the restart fell in, its calls before the stop; this run has none.
    store.restorerFor(serviceKey('users'))(m0, [120, 0, 13, 23, 33]);
    // This run: a report of the 60 s up to now (40 s of them before the restart), then one second's calls.
    const calls = (count: number) => [{ to: 'pay', count, errors: 0, latencyMs: { bounds: [50], counts: [count, 0] } }];
    store.ingest(batch('web', 'web-1', calls(60), T0 - 40_000, 60));
    clock.t = T0 + 22_000;
    store.ingest(batch('web', 'web-1', calls(7), T0 + 21_000, 1));
    clock.t = T0 + 25_000;
    const at = (points: ReturnType<typeof store.service>, ms: number) => points.find((point) => point.t === ms);
    for (const window of ['5m', '15m'] as const) {
      const points = store.service('pay', window);
      // A minute this run has no second of: each of its seconds at the minute's rate, errors and percentiles.
      for (const second of [0, 30, 59]) {
        expect(at(points, T0 - 180_000 + second * 1_000), `${window} ${second}`).toEqual({ t: T0 - 180_000 + second * 1_000, rps: 10, errorRate: 0.01, p50Ms: 10, p95Ms: 20, p99Ms: 30 });
      }
      // Nothing restored there.
      expect(at(points, T0 - 90_000)).toMatchObject({ rps: 0, p95Ms: null });
      // A minute this run has seconds of too (the first report after the restart reaching back into it, as an SDK's every
      // 60 s does): the calls of the two runs are different calls, the restored minute's rate drawn on top of this run's seconds.
      expect(at(points, T0 - 50_000)?.rps).toBeCloseTo(20, 5);
      expect(at(points, T0 - 50_000)?.p95Ms).not.toBeNull();
      expect(at(points, T0 - 40_000)?.rps).toBeCloseTo(21, 5);
      // The minute the restart fell in: its restored calls were made before the restart, in its first 20 s.
      expect(at(points, T0 + 10_000)?.rps).toBeCloseTo(1 + 100 / 20, 4);
      // From the restart on, this run's seconds alone.
      expect(at(points, T0 + 20_000)?.rps).toBe(0);
      expect(at(points, T0 + 21_000)?.rps).toBeCloseTo(7, 5);
      expect(points.filter((point) => point.rps > 0)).toHaveLength(60 + 60 + 20 + 1);
      // The restart's minute with no seconds of this run: drawn up to the restart, not over the seconds after it, its calls all there.
      const users = store.service('users', window);
      expect(at(users, T0 + 19_000)).toMatchObject({ rps: 6, p95Ms: 23 });
      expect(at(users, T0 + 20_000)).toMatchObject({ rps: 0, p95Ms: null });
      expect(users.filter((point) => point.rps > 0)).toHaveLength(20);
    }
    // The minute window is as restored, with this run's calls of the same minutes added.
    const hour = store.service('pay', '1h');
    expect(at(hour, T0 - 180_000)).toMatchObject({ rps: 10, p95Ms: 20 });
    expect(at(hour, T0 - 60_000)?.rps).toBeCloseTo((1_200 + 40) / 60, 4);
    expect(at(hour, T0)?.rps).toBeCloseTo((100 + 20 + 7) / 60, 4);
    // And so the minutes persisted again once they close: both runs' calls.
    clock.t = T0 + 10 * 60_000;
    store.sweep();
    expect(persisted.get(`${serviceKey('pay')}@${m0 - 60}`)).toBeCloseTo(1_240, 2);
    expect(persisted.get(`${serviceKey('pay')}@${m0}`)).toBeCloseTo(127, 2);
  });

  it('lists no edge and no pair the store knows only from minutes an earlier run persisted (a restart with another fleet)', () => {
    const store = createMetricsStore({ now: () => T0 });
    const restore = store.restorerFor(edgeKey('web', 'inventory'));
    // Ten minutes of calls, the newest ending a moment before this run started.
    for (let minute = 10; minute >= 1; minute -= 1) restore(T0 / 1_000 - minute * 60, [600, 0, 10, 20, 30]);
    expect(store.edge('web', 'inventory', '1h').filter((point) => point.rps > 0)).toHaveLength(10);
    expect(store.edges()).toEqual([]);
    expect(store.edgePairs()).toEqual([]);
  });

  it('keeps the same figures after a slot closes and its sketch is dropped', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    store.ingest(batch('a', 'a-1', [{ to: 'b', count: 100, errors: 1, latencyMs: { bounds: [5, 50, 500], counts: [10, 60, 29, 1] } }]));
    const open = store.service('b', '15m').filter((p) => p.rps > 0);
    clock += 200_000;
    store.sweep();
    const closed = store.service('b', '15m').filter((p) => p.rps > 0);
    expect(closed).toHaveLength(open.length);
    closed.forEach((point, i) => {
      expect(point.rps).toBeCloseTo(open[i]?.rps as number, 4);
      expect(point.p99Ms).toBeCloseTo(open[i]?.p99Ms as number, 1);
    });
  });

  it('re-anchors a skewed reporter to the server clock, and refuses a broken one by field', () => {
    const store = createMetricsStore({ now: () => T0 });
    const skewed = store.ingest(batch('a', 'a-1', [{ to: 'b', count: 5, errors: 0, latencyMs: { bounds: [10], counts: [5, 0] } }], T0 + 600_000));
    expect(skewed).toEqual({ ok: true, calls: 1, reanchored: true });
    expect(store.service('b', '5m').filter((p) => p.rps > 0).at(-1)?.t).toBeLessThanOrEqual(T0);
    const broken = store.ingest(batch('a', 'a-1', [], T0 - 3 * 86_400_000));
    expect(broken).toMatchObject({ ok: false, field: 'intervalStart' });
  });

  it('evicts the least recently updated series beyond its cap', () => {
    const store = createMetricsStore({ now: () => T0, maxSeries: 2 });
    const call = (to: string) => store.ingest(batch('a', 'a-1', [{ to, count: 1, errors: 0, latencyMs: { bounds: [10], counts: [1, 0] } }]));
    call('b');
    call('c');
    expect(store.stats().series).toBe(2);
    expect(store.service('b', '5m').some((p) => p.rps > 0)).toBe(false);
  });

  it('keeps a series updated every few seconds and evicts the one left alone, the order kept to within seconds', () => {
    let now = T0;
    const store = createMetricsStore({ now: () => now, maxSeries: 2 });
    // One series per call: the callee's own.
    const call = (to: string) => store.observe({ to, countsForCallee: true, startSecond: now / 1_000 - 2, intervalSeconds: 1, count: 1, errors: 0, bounds: [10], counts: [1, 0] });
    call('busy');
    call('quiet');
    for (let step = 0; step < 3; step += 1) {
      now += 5_000;
      call('busy');
    }
    call('new');
    expect(store.stats().series).toBe(2);
    expect(store.service('busy', '5m').some((p) => p.rps > 0)).toBe(true);
    expect(store.service('quiet', '5m').some((p) => p.rps > 0)).toBe(false);
  });

  it('keeps latency for a slot that holds less than one call after spreading', () => {
    const store = createMetricsStore({ now: () => T0 });
    const bounds = Array.from({ length: 70 }, (_, i) => i + 1);
    const counts = [...new Array<number>(70).fill(0), 0];
    counts.fill(1, 0, 70);
    // 70 calls over 300 s: 0.23 calls a second, in more buckets than a slot keeps raw.
    store.ingest(batch('a', 'a-1', [{ to: 'thin', count: 70, errors: 0, latencyMs: { bounds, counts } }], T0 - 300_000, 300));
    const point = store.service('thin', '5m').find((p) => p.rps > 0);
    expect(point?.p50Ms).toBeGreaterThan(20);
    expect(point?.p99Ms).toBeGreaterThan(60);
  });

  it('records a batch whose bounds overflow a midpoint without throwing (the schema refuses it first; the store must not rely on that)', () => {
    const store = createMetricsStore({ now: () => T0 });
    const bounds = [...Array.from({ length: 62 }, (_, i) => 10 ** (i * 5)), 1e308, 1.7e308];
    const hostile = batch('gw', 'gw-1', [{ to: 'users', count: 65, errors: 0, latencyMs: { bounds, counts: new Array<number>(65).fill(1) } }]);
    expect(() => store.ingest(hostile)).not.toThrow();
    expect(store.ingest(batch('gw', 'gw-1', [{ to: 'users', count: 1, errors: 0, latencyMs: { bounds: [10], counts: [1, 0] } }]))).toMatchObject({ ok: true });
    expect(store.service('users', '5m').some((point) => point.p50Ms !== null && Number.isFinite(point.p50Ms))).toBe(true);
  });

  it('carries the kind of an observed node on the edges to and from it, within the series cap', () => {
    const store = createMetricsStore({ now: () => 1_800_000_000_000, maxSeries: 2 });
    const call = { countsForCallee: false, startSecond: 1_800_000_000 - 2, intervalSeconds: 1, count: 1, errors: 0, bounds: [10], counts: [1, 0] };
    store.observe({ ...call, from: 'gateway', to: 'kafka:orders', node: { name: 'kafka:orders', kind: 'queue' } });
    store.observe({ ...call, from: 'kafka:orders', to: 'worker' });
    expect(store.edges().map(({ from, to, fromKind, toKind }) => ({ from, to, fromKind, toKind }))).toEqual([
      { from: 'gateway', to: 'kafka:orders', fromKind: undefined, toKind: 'queue' },
      { from: 'kafka:orders', to: 'worker', fromKind: 'queue', toKind: undefined },
    ]);
    store.observe({ ...call, from: 'a', to: 'b', node: { name: 'b', kind: 'database' } });
    store.observe({ ...call, from: 'a', to: 'c', node: { name: 'c', kind: 'database' } });
    // Two kinds at most with two series: the queue's was forgotten first.
    store.observe({ ...call, from: 'kafka:orders', to: 'worker' });
    expect(store.edges().find((edge) => edge.from === 'kafka:orders')).not.toHaveProperty('fromKind');
    expect(store.edges().find((edge) => edge.to === 'c')).toMatchObject({ toKind: 'database' });
  });

  it('lists the same caller→callee pairs as edges(), and edges() keeps its totals', () => {
    const store = createMetricsStore({ now: () => T0 });
    const call = (to: string) => ({ to, count: 10, errors: 1, latencyMs: { bounds: [10], counts: [10, 0] } });
    store.ingest(batch('gw', 'gw-1', [call('users'), call('orders')]));
    store.ingest(batch('orders', 'orders-1', [call('users')]));
    const key = (pairs: { from: string; to: string }[]) => pairs.map((p) => `${p.from}>${p.to}`).sort();
    expect(key(store.edgePairs())).toEqual(['gw>orders', 'gw>users', 'orders>users']);
    expect(key(store.edges())).toEqual(key(store.edgePairs()));
    const gwUsers = store.edges().find((edge) => edge.from === 'gw' && edge.to === 'users');
    expect(gwUsers?.rps).toBeCloseTo(10 / 60, 9);
    expect(gwUsers?.errorRate).toBeCloseTo(0.1, 9);
  });

  it('serves a percentile interpolated within its bucket, open and after its slot closes (fake clock)', () => {
    let now = T0;
    const store = createMetricsStore({ now: () => now });
    const oneBucket = { to: 'users', count: 100, errors: 0, latencyMs: { bounds: [10, 50], counts: [0, 100, 0] } };
    // Two reporters, so the slots hold merged raw values, not one report by reference.
    store.ingest(batch('gw', 'gw-1', [oneBucket]));
    store.ingest(batch('orders', 'orders-1', [oneBucket]));
    const latest = () => store.service('users', '5m').filter((point) => point.p50Ms !== null).at(-1);
    expect(latest()?.p50Ms).toBeCloseTo(30, 4);
    expect(latest()?.p99Ms).toBeCloseTo(49.6, 4);
    now += 120_000;
    store.sweep();
    // Closed slots keep Float32 figures.
    expect(latest()?.p50Ms).toBeCloseTo(30, 4);
    expect(latest()?.p95Ms).toBeCloseTo(48, 4);
  });

  it('gives each edge its usual p95 (median of its per-minute p95 over the hour) once it has 5 minutes of calls', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    const minuteOfCalls = (minute: number, latencyMs: number): void => {
      for (let s = 0; s < 60; s += 5) {
        const start = T0 + minute * 60_000 + s * 1_000;
        clock.t = start + 5_000;
        store.ingest(batch('web', 'web-1', [{ to: 'inventory', count: 50, errors: 0, latencyMs: { bounds: [latencyMs], counts: [50, 0] } }], start, 5));
        store.sweep();
      }
    };
    for (let minute = 0; minute < 4; minute += 1) minuteOfCalls(minute, 20);
    expect(store.edges()[0]?.baselineP95Ms).toBeNull();
    for (let minute = 4; minute < 10; minute += 1) minuteOfCalls(minute, 20);
    minuteOfCalls(10, 200);
    const edge = store.edges()[0];
    expect(edge?.baselineP95Ms).toBeCloseTo(20, -1);
    expect(edge?.p95Ms).toBeGreaterThan(3 * (edge?.baselineP95Ms ?? Infinity));
  });
});

describe('recent calls, as status judges them', () => {
  /** `count` calls to users-1 in the second at `second` after T0, all in the bucket (lower, upper]. */
  const oneSecond = (second: number, count: number, lower: number, upper: number): IngestBatch =>
    batch('gw', 'gw-1', [{ to: 'users', toInstance: 'users-1', count, errors: 0, latencyMs: { bounds: [lower, upper], counts: [0, count, 0] } }], T0 + second * 1_000, 1);

  it('takes the p95 of all calls in the window, so a spike in its last 3 s already shows (the mean of per-second p95s hid it)', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    // 27 s of 10 calls in (0, 10] ms, then 3 s of 10 calls in (100, 200] ms: 10 % slow calls.
    for (let second = 0; second < 30; second += 1) {
      clock.t = T0 + (second + 1) * 1_000;
      store.ingest(second < 27 ? oneSecond(second, 10, 0, 10) : oneSecond(second, 10, 100, 200));
    }
    // Rank 285 of 300: 15 into the 30 slow calls, halfway through their bucket.
    expect(store.instanceRecent('users', 'users-1', 30)).toEqual({ calls: 300, errors: 0, p95Ms: 150 });
    expect(store.serviceRecent('users', 30).p95Ms).toBe(150);
    expect(store.instanceRecent('users', 'users-2', 30)).toEqual({ calls: 0, errors: 0, p95Ms: null });
  });

  it('counts closed slots by their quantiles', () => {
    const clock = { t: T0 };
    const store = createMetricsStore({ now: () => clock.t });
    for (let second = 0; second < 30; second += 1) store.ingest(oneSecond(second, 10, 10, 50));
    clock.t = T0 + 200_000;
    store.sweep();
    const closed = store.instanceRecent('users', 'users-1', 200);
    expect(closed.calls).toBeCloseTo(300, 3);
    expect(closed.p95Ms).toBeCloseTo(48, 3);
  });
});

describe('observe (OTLP calls)', () => {
  it('refuses counts beyond ingest\u2019s bound and errors above the count, and records what is in bounds', () => {
    const nowMs = Date.parse('2026-12-03T10:00:00Z');
    const store = createMetricsStore({ now: () => nowMs });
    const call = { from: 'web', to: 'orders', countsForCallee: true, startSecond: nowMs / 1_000 - 5, intervalSeconds: 5, bounds: [10], counts: [0, 0] };
    expect(store.observe({ ...call, count: 2e9, errors: 0, counts: [2e9, 0] })).toBe(false);
    expect(store.observe({ ...call, count: 10, errors: 11, counts: [10, 0] })).toBe(false);
    expect(store.observe({ ...call, count: 10, errors: 1, counts: [10, 0] })).toBe(true);
    const calls = store.service('orders', '5m').reduce((sum, point) => sum + point.rps, 0);
    expect(calls).toBeCloseTo(10, 6);
  });
});
