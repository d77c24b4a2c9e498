import { describe, expect, it } from 'vitest';
import type { LatencyPoint, LatencyWindow } from '@/lib/model/latency';
import { QUANTISED_RELATIVE_ERROR } from './closed-ring';
import { clampLatency, MAX_VALUE_MS, MIN_VALUE_MS } from './histogram';
import { PROBE_GRACE_SECONDS, Series } from './series';
import { shapedValues } from './shapes';
import { createMetricsStore, type MetricsStore } from './store';

const T0 = Date.parse('2026-12-03T00:00:00Z');
const KEY = '/services/pay/instances/p-1';
const within = (actual: number | null | undefined, expected: number | null | undefined): boolean =>
  expected === null || expected === undefined ? actual === expected : actual !== null && actual !== undefined && Math.abs(actual - expected) / expected <= QUANTISED_RELATIVE_ERROR * 1.0001;

/**
 * Probes every 5 s on a fake clock into the store (compact probe layout) and into a series with
 * the call series' 32-bit layout, as `recordProbe` feeds them: the two must read the same points,
 * within the quantisation error.
 */
function probeFor(hours: number, latencyAt: (probe: number) => number): { store: MetricsStore; reference: Series; nowSecond: number } {
  let clock = T0;
  const store = createMetricsStore({ now: () => clock });
  const reference = new Series(PROBE_GRACE_SECONDS);
  const probes = (hours * 3_600) / 5;
  for (let probe = 0; probe < probes; probe += 1) {
    clock = T0 + probe * 5_000 + 1_300;
    const ok = probe % 13 !== 0;
    const latency = latencyAt(probe);
    store.recordProbe(KEY, clock, latency, ok);
    reference.record(clock / 1_000, 1, 1, ok ? 0 : 1, shapedValues([clampLatency(latency), 1, NaN, NaN], false));
    clock = T0 + (probe + 1) * 5_000;
    store.sweep();
    reference.sweep(clock / 1_000);
  }
  return { store, reference, nowSecond: clock / 1_000 };
}

const expectSamePoints = (actual: LatencyPoint[], expected: LatencyPoint[]): void => {
  expect(actual).toHaveLength(expected.length);
  const differing = actual.filter((point, i) => {
    const other = expected[i] as LatencyPoint;
    return point.t !== other.t || point.rps !== other.rps || point.errorRate !== other.errorRate || !within(point.p50Ms, other.p50Ms) || !within(point.p95Ms, other.p95Ms) || !within(point.p99Ms, other.p99Ms);
  });
  expect(differing).toEqual([]);
};

describe('probe series (compact layout)', () => {
  it('reads every window as the 32-bit layout does, within the quantisation error, after the rings wrapped (25 h, fake clock)', () => {
    // Extremes included: the clamp's bounds, and a failed probe's latency-less slot.
    const latencyAt = (probe: number): number => (probe % 101 === 0 ? MIN_VALUE_MS : probe % 103 === 0 ? MAX_VALUE_MS : 0.5 + ((probe * 7.31) % 40));
    const { store, reference, nowSecond } = probeFor(25, latencyAt);
    for (const window of ['5m', '15m', '1h', '6h', '24h'] as const satisfies readonly LatencyWindow[]) {
      const points = store.probe(KEY, window);
      expectSamePoints(points, reference.points(window, nowSecond));
      // Data all through the window: the ring kept its whole length after wrapping.
      expect(points.filter((point) => point.rps > 0).length).toBeGreaterThan(window === '5m' || window === '15m' ? points.length / 5 - 2 : points.length - 2);
    }
    const day = store.probe(KEY, '24h');
    expect(day.some((point) => point.p99Ms !== null && within(point.p99Ms, MAX_VALUE_MS))).toBe(true);
    expect(day.every((point) => point.p50Ms === null || point.p50Ms >= MIN_VALUE_MS * (1 - QUANTISED_RELATIVE_ERROR))).toBe(true);
    expect(day.some((point) => point.errorRate !== null && point.errorRate > 0)).toBe(true);
  });

  it('reads an open slot as it will read once closed', () => {
    let clock = T0;
    const store = createMetricsStore({ now: () => clock });
    store.recordProbe(KEY, T0 + 200, 17.3, true);
    clock = T0 + 1_000;
    const open = store.probe(KEY, '5m');
    clock = T0 + 10_000;
    store.sweep();
    const closed = store.probe(KEY, '5m');
    const at = open.findIndex((point) => point.rps > 0);
    expect(open[at]).toEqual(closed.find((point) => point.t === open[at]?.t));
    expect(within(open[at]?.p50Ms, 17.3)).toBe(true);
  });
});
