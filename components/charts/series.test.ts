import { describe, expect, it } from 'vitest';
import type { InstanceLatency, LatencyPoint } from '@/lib/model/latency';
import { drawableSeries, holdProbeValues, maxPerBucket, probeChartData, sparklineData } from './series';
import { sparklinePath } from './Sparkline';

const point = (t: number, ms: number | null, rps = ms === null ? 0 : 1): LatencyPoint => ({
  t,
  p50Ms: ms,
  p95Ms: ms,
  p99Ms: ms,
  rps,
  errorRate: ms === null ? null : 0,
});

const seconds = (values: (number | null)[]): LatencyPoint[] => values.map((v, i) => point(i * 1_000, v));

describe('drawableSeries', () => {
  it('leaves the trailing not-yet-reported 1 s slots undrawn but keeps the axis to now', () => {
    const series = drawableSeries(seconds([5, 6, 7, null, null, null]), 1);
    expect(series.points.map((p) => p.p99Ms)).toEqual([5, 6, 7]);
    expect(series.from).toBe(0);
    expect(series.to).toBe(6_000);
  });

  it('draws a silence longer than the report delay', () => {
    const series = drawableSeries(seconds([5, ...Array<null>(30).fill(null)]), 1);
    expect(series.points.length).toBe(21);
  });

  it('drops the current, partial minute', () => {
    const points = [point(0, 5), point(60_000, 6), point(120_000, 7)];
    expect(drawableSeries(points, 60).points.map((p) => p.t)).toEqual([0, 60_000]);
  });

  it("draws only the slots that ended before the server's arriving point, however full the newer ones are, and shades the rest", () => {
    // The newest seconds hold only the reporters that have sent so far: 100 % errors where the settled seconds say 0 %.
    const points = seconds([5, 6, 7, 8, 9, 10]).map((p, i) => (i >= 4 ? { ...p, errorRate: 1 } : p));
    const series = drawableSeries(points, 1, 3_500);
    expect(series.points.map((p) => [p.t, p.errorRate])).toEqual([[0, 0], [1_000, 0], [2_000, 0]]);
    expect([series.arrivingFrom, series.to]).toEqual([3_000, 6_000]);
    expect(drawableSeries(seconds([5, 6]), 1, 60_000).arrivingFrom).toBeNull();
  });

  it('drops every minute still arriving, not only the current one (a 60 s export interval)', () => {
    const points = [point(0, 5), point(60_000, 6), point(120_000, 7)];
    const series = drawableSeries(points, 60, 100_000);
    expect([series.points.map((p) => p.t), series.arrivingFrom]).toEqual([[0], 60_000]);
  });
});

describe('holdProbeValues', () => {
  it('holds a probe until the next is due, and breaks where probes stopped', () => {
    const values = [1, null, null, null, null, 2, null, null, null, null, 3, ...Array<null>(12).fill(null)];
    const held = holdProbeValues(values);
    expect(held.slice(0, 11)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3]);
    expect(held.slice(11, 18)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(held.slice(18)).toEqual([null, null, null, null, null]);
  });

  it('fills nothing when every slot has a probe (minute slots)', () => {
    expect(holdProbeValues([1, 2, null, 3, 4])).toEqual([1, 2, null, 3, 4]);
  });
});

describe('probeChartData', () => {
  const instance = (id: string, latest: number | null, failing = false): InstanceLatency => ({
    id,
    key: `/services/s/${id}`,
    inbound: [],
    probe: [point(0, 1), { ...point(1_000, latest), errorRate: failing ? 1 : 0 }],
  });

  it('ranks failing, then slowest, and says how many there are; a failed probe is a mark, not a point of the line', () => {
    const data = probeChartData([instance('a', 5), instance('b', 50), instance('c', 2, true), instance('d', null), instance('e', 9)], 3, 1);
    expect(data.lines.map((l) => [l.id, l.latest, l.failing])).toEqual([['c', null, true], ['b', 50, false], ['e', 9, false]]);
    expect(data.total).toBe(5);
    expect(data.rows).toEqual([
      { t: 0, s0: 1, f0: null, s1: 1, f1: null, s2: 1, f2: null },
      { t: 1_000, s0: null, f0: 0, s1: 50, f1: null, s2: 9, f2: null },
    ]);
  });
});

describe('sparklines', () => {
  it('prefers inbound p99 and falls back to probe latency', () => {
    const inbound: InstanceLatency = { id: 'a', key: 'k', inbound: seconds([null, 4]), probe: seconds([1, 1]) };
    expect(sparklineData(inbound, 45)).toEqual({ kind: 'inbound', values: [null, 4], failed: [false, false], latest: 4 });
    const probed: InstanceLatency = { ...inbound, inbound: seconds([null, null]) };
    expect(sparklineData(probed, 45).kind).toBe('probe');
    expect(sparklineData(undefined, 45).kind).toBe('none');
  });

  it('leaves failed probes out of the line, breaks the held value there and marks them', () => {
    // A refused connect takes milliseconds: plotted, it read as a healthy 2.9 ms beside "✕ connection refused".
    const probe = [point(0, 120), ...seconds([null, null, null, null]).map((p, i) => ({ ...p, t: (i + 1) * 1_000 })), { ...point(5_000, 2.9), errorRate: 1 }, point(6_000, null), point(7_000, null)];
    const data = sparklineData({ id: 'a', key: 'k', inbound: [], probe }, 45);
    expect(data.kind).toBe('probe');
    expect(data.values).toEqual([120, 120, 120, 120, 120, null, null, null]);
    expect(data.failed).toEqual([false, false, false, false, false, true, false, false]);
    expect(data.latest).toBe(120);
  });

  it('is still a probe sparkline (all marks, no line) when every probe failed', () => {
    const probe = [{ ...point(0, 1.1), errorRate: 1 }, { ...point(1_000, 1.3), errorRate: 1 }];
    expect(sparklineData({ id: 'a', key: 'k', inbound: [], probe }, 45)).toEqual({ kind: 'probe', values: [null, null], failed: [true, true], latest: null });
  });

  it('marks a failed probe in minute slots, where the median mixes it with good ones', () => {
    const probe = [{ ...point(0, 4), rps: 0.2, errorRate: 0 }, { ...point(60_000, 3), rps: 0.2, errorRate: 1 / 12 }];
    expect(sparklineData({ id: 'a', key: 'k', inbound: [], probe }, 45)).toMatchObject({ values: [4, null], failed: [false, true] });
  });

  it('keeps the highest value of each bucket, so spikes survive', () => {
    expect(maxPerBucket([1, 9, 2, 2, null, null], 3)).toEqual([9, 2, null]);
  });

  it('breaks the path at gaps and draws lone values as dots', () => {
    expect(sparklinePath([0, 10, null, 5], 10, 12)).toBe('M1.0 11.0L3.7 1.0M9.0 6.0h0.1');
  });
});
