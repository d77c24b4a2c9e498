import { describe, expect, it } from 'vitest';
import type { LatencyPoint } from '@/lib/model/latency';
import { Series } from './series';
import { shapedBuckets } from './shapes';

const T0 = Date.parse('2026-11-21T10:00:30Z') / 1_000;
const BOUNDS = [1, 5, 25, 100];

/** Every figure a series answers, as the store's readers ask for them at `nowSecond`. */
function readAll(series: Series, nowSecond: number): unknown {
  const round = (points: LatencyPoint[]): unknown[] =>
    points.map((p) => [p.t, p.rps.toFixed(9), p.errorRate?.toFixed(9) ?? null, p.p50Ms?.toFixed(6) ?? null, p.p95Ms?.toFixed(6) ?? null, p.p99Ms?.toFixed(6) ?? null]);
  const recent = series.recent(nowSecond, 60);
  const last = series.lastSeconds(nowSecond, 30);
  return {
    seconds: round(series.points('15m', nowSecond)),
    minutes: round(series.points('1h', nowSecond)),
    recent: [recent.count.toFixed(9), recent.errors.toFixed(9), round(recent.points)],
    last: [last.count.toFixed(9), last.errors.toFixed(9), last.p95?.toFixed(6) ?? null],
    lastUpdate: series.lastUpdate(),
  };
}

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

describe('Series', () => {
  it('answers the same whether a report is read at once or waits, summed with others, until the next read (more kinds than it keeps waiting)', () => {
    const readEachTime = new Series();
    const readAtEnd = new Series();
    for (const report of reports()) {
      for (const series of [readEachTime, readAtEnd]) {
        series.record(report.start, report.seconds, report.count, report.errors, shapedBuckets(BOUNDS, report.counts));
      }
      readAll(readEachTime, T0 + 60);
    }
    expect(readAll(readAtEnd, T0 + 60)).toEqual(readAll(readEachTime, T0 + 60));
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

  it('takes a one-second report at once, beside waiting ones', () => {
    const series = new Series();
    series.record(T0, 1, 4, 1, shapedBuckets([1, 5], [0, 4, 0]));
    series.record(T0, 2, 10, 0, shapedBuckets(BOUNDS, [0, 10, 0, 0, 0]));
    const [first, second] = series.points('15m', T0 + 2).filter((p) => p.rps > 0);
    expect([first?.rps, first?.errorRate, second?.rps]).toEqual([9, 1 / 9, 5]);
  });
});
