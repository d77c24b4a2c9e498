import { describe, expect, it } from 'vitest';
import type { LatencyPoint } from '../latency';
import { instanceRecentTraffic, recentTraffic } from './recent-traffic';

const T0 = Date.parse('2026-12-03T09:00:00Z');
const point = (second: number, rps: number, errorRate: number | null, p95Ms: number | null): LatencyPoint => ({ t: T0 + second * 1_000, p50Ms: p95Ms, p95Ms, p99Ms: p95Ms, rps, errorRate });

describe('recentTraffic', () => {
  it('sums the last 30 one-second slots only', () => {
    const points = [...Array.from({ length: 60 }, (_, s) => point(s, 10, s < 30 ? 1 : 0.5, s < 30 ? 500 : 20))];
    expect(recentTraffic(points, 30, 1)).toEqual({ calls: 300, errorRate: 0.5, p95Ms: 20 });
  });

  it('says nothing without calls', () => {
    expect(recentTraffic([point(0, 0, null, null)], 30, 1)).toEqual({ calls: 0, errorRate: null, p95Ms: null });
    expect(recentTraffic([], 30, 1)).toEqual({ calls: 0, errorRate: null, p95Ms: null });
  });

  it('takes the last slot alone when slots are longer than the span', () => {
    expect(recentTraffic([point(0, 1, 0, 30), point(60, 2, 0.25, 40)], 30, 60)).toEqual({ calls: 120, errorRate: 0.25, p95Ms: 40 });
  });
});

describe('instanceRecentTraffic', () => {
  const inbound = Array.from({ length: 30 }, (_, s) => point(s, 10, 0, 500));
  it("takes the server's figures when sent: the p95 its status weighs, not one read off the series", () => {
    expect(instanceRecentTraffic({ id: 'a', key: 'k', inbound, probe: [], recent: { calls: 300, errors: 30, p95Ms: 150 } }, 30, 1)).toEqual({ calls: 300, errorRate: 0.1, p95Ms: 150 });
    expect(instanceRecentTraffic({ id: 'a', key: 'k', inbound, probe: [], recent: { calls: 0, errors: 0, p95Ms: null } }, 30, 1)).toEqual({ calls: 0, errorRate: null, p95Ms: null });
  });
  it('reads the series when the server sent none', () => {
    expect(instanceRecentTraffic({ id: 'a', key: 'k', inbound, probe: [] }, 30, 1)).toEqual({ calls: 300, errorRate: 0, p95Ms: 500 });
  });
});
