import { describe, expect, it } from 'vitest';
import type { LatencyPoint } from '@/lib/model/latency';
import { Series } from './series';
import { shapedBuckets } from './shapes';

const T0 = Date.parse('2026-11-21T10:00:30Z') / 1_000;
const BOUNDS = [1, 5, 25, 100];

const rounded = (points: LatencyPoint[]): unknown[] =>
  points.map((p) => [p.t, p.rps.toFixed(9), p.errorRate?.toFixed(9) ?? null, p.p50Ms?.toFixed(6) ?? null, p.p95Ms?.toFixed(6) ?? null, p.p99Ms?.toFixed(6) ?? null]);

/** Reports of 2 to 10 s intervals from many reporters: 40 interval starts, 3 bucket layouts, and one-second spans between them. */
function reports(): { start: number; seconds: number; count: number; errors: number; counts: number[] }[] {
  const made = [];
  for (let i = 0; i < 400; i += 1) {
    const layout = i % 3;
    made.push({
      start: T0 + (i % 40) + (i % 7) / 10,
      seconds: i % 11 === 0 ? 1 : 2 + (i % 9),
      count: 10 + (i % 13),
      errors: i % 5,
      counts: layout === 0 ? [3, 4, 2, 1, 0] : layout === 1 ? [0, 6, 3, 1, 0] : [1, 1, 1, 1, 1],
    });
  }
  return made;
}

/** Each method a reader asks, first, of a series whose reports may still wait. */
const READS: [string, (series: Series, nowSecond: number) => unknown][] = [
  ['points over 15 min', (series, now) => rounded(series.points('15m', now))],
  ['points over 1 h', (series, now) => rounded(series.points('1h', now))],
  ['recent', (series, now) => {
    const recent = series.recent(now, 60);
    return [recent.count.toFixed(9), recent.errors.toFixed(9), rounded(recent.points)];
  }],
  ['lastSeconds', (series, now) => {
    const last = series.lastSeconds(now, 30);
    return [last.count.toFixed(9), last.errors.toFixed(9), last.p95?.toFixed(6) ?? null];
  }],
  ['sweep', (series, now) => {
    const closed: number[][] = [];
    series.sweep(now + 3_600, (start, fields) => closed.push([start, ...[...fields].map((f) => Number(f.toFixed(3)))]));
    return closed;
  }],
];

describe('Series', () => {
  it.each(READS)('answers %s as if every report had been spread over its seconds on arrival, with more kinds waiting than it keeps', (_name, read) => {
    const waiting = new Series();
    // The reference takes each report as one-second reports, which go in at once.
    const spreadOnArrival = new Series();
    for (const report of reports()) {
      waiting.record(report.start, report.seconds, report.count, report.errors, shapedBuckets(BOUNDS, report.counts));
      const first = Math.floor(report.start);
      const share = 1 / report.seconds;
      for (let s = 0; s < report.seconds; s += 1) {
        spreadOnArrival.record(first + s, 1, report.count * share, report.errors * share, shapedBuckets(BOUNDS, report.counts.map((c) => c * share)));
      }
    }
    expect(read(waiting, T0 + 60)).toEqual(read(spreadOnArrival, T0 + 60));
  });

  it('spreads the reports still waiting before closing slots, so a sweep loses none of them', () => {
    const swept = new Series();
    const closedMinutes: number[][] = [];
    swept.record(T0, 5, 50, 5, shapedBuckets(BOUNDS, [10, 20, 10, 10, 0]));
    swept.record(T0, 5, 50, 0, shapedBuckets(BOUNDS, [10, 20, 10, 10, 0]));
    swept.sweep(T0 + 3_600, (_start, fields) => closedMinutes.push([...fields.slice(0, 2)]));
    expect(closedMinutes).toEqual([[100, 5]]);
    const seconds = swept.points('15m', T0 + 30).filter((p) => p.rps > 0);
    expect(seconds.map((p) => [p.t / 1_000 - T0, p.rps, p.errorRate])).toEqual([0, 1, 2, 3, 4].map((s) => [s, 20, 0.05]));
  });

  it('says from which second reports are still arriving: as far back as the longest recent report reached from its arrival, for two minutes', () => {
    const series = new Series();
    expect(series.arrivingFrom(T0)).toBeNull();
    // A 5 s interval sent 1 s after it ended, and a 1 s span batched 3 s late.
    series.record(T0 - 6, 5, 10, 0, shapedBuckets(BOUNDS, [10, 0, 0, 0, 0]), T0);
    series.record(T0 - 4, 1, 1, 0, shapedBuckets(BOUNDS, [1, 0, 0, 0, 0]), T0 + 0.5);
    expect(series.arrivingFrom(T0 + 1)).toBe(T0 + 1 - 6);
    // The 5 s reporter stopped: two minutes on, only the spans' lag is left, then none.
    series.record(T0 + 125, 1, 1, 0, shapedBuckets(BOUNDS, [1, 0, 0, 0, 0]), T0 + 128);
    expect(series.arrivingFrom(T0 + 128)).toBe(T0 + 128 - 3);
    expect(series.arrivingFrom(T0 + 300)).toBeNull();
  });

  it('keeps a seconds-long lag a one-off report had for no more than two minutes, and always has one while reports keep coming', () => {
    const series = new Series();
    const values = shapedBuckets(BOUNDS, [1, 0, 0, 0, 0]);
    const lags: (number | null)[] = [];
    for (let now = T0; now < T0 + 200; now += 1) {
      if ((now - T0) % 5 === 0) series.record(now - 2, 1, 1, 0, values, now);
      if (now === T0 + 10) series.record(T0 + 1, 1, 1, 0, values, now);
      const from = series.arrivingFrom(now + 0.5);
      lags.push(from === null ? null : now - from);
    }
    expect(lags.includes(null)).toBe(false);
    expect(Math.max(...(lags as number[]))).toBe(9);
    expect(lags.slice(140)).toEqual(Array<number>(60).fill(2));
  });

  it('counts a one-second report with the waiting ones of the same seconds', () => {
    const series = new Series();
    series.record(T0, 1, 4, 1, shapedBuckets([1, 5], [0, 4, 0]));
    series.record(T0, 2, 10, 0, shapedBuckets(BOUNDS, [0, 10, 0, 0, 0]));
    const [first, second] = series.points('15m', T0 + 2).filter((p) => p.rps > 0);
    expect([first?.rps, first?.errorRate, second?.rps]).toEqual([9, 1 / 9, 5]);
  });
});
