import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Instance, Status } from '@/lib/model/instance';
import type { EdgeStats } from '@/lib/model/latency';
import type { SummarySnapshot } from '@/lib/model/live';
import { summarizeInstances } from '@/lib/model/service-summary';
import { NO_CAUSE } from '@/lib/model/topology/likely-cause';
import { createMetricsStore } from './metrics-store/store';
import { fleetLikelyCause, LIKELY_CAUSE_MAX_AGE_MS } from './likely-cause';

const NOW = Date.parse('2026-12-07T00:54:00Z');

function service(name: string, status: Status, dependsOn?: string) {
  const instance: Instance = {
    id: `${name}-0`,
    service: name,
    key: `/services/${name}/${name}-0`,
    address: '10.0.0.1:80',
    format: 'native',
    metadata: dependsOn === undefined ? {} : { dependsOn },
    status,
    drain: null,
    passedAt: new Date(NOW - 60_000).toISOString(),
  };
  return summarizeInstances(name, [instance]);
}

/** A store's summary snapshot of an outage: orders fails on payments, which fails. */
const outage = (seq: number): SummarySnapshot => ({
  epoch: 'run',
  seq,
  revision: String(seq),
  registry: { state: 'synced', since: new Date(NOW - 600_000).toISOString() },
  services: [service('orders', 'critical', 'payments'), service('payments', 'critical')],
});
const calls: EdgeStats[] = [{ from: 'orders', to: 'payments', rps: 5, errorRate: 1, p50Ms: 3, p95Ms: 9, p99Ms: 12 }];

afterEach(() => vi.restoreAllMocks());

describe('fleetLikelyCause (the Alerts page and GET /api/v1/topology?origins=only)', () => {
  it('builds the topology once for any number of requests on one store snapshot, and again for the next one', () => {
    const observed = vi.fn(() => calls);
    const snapshot = outage(1);
    // 20 on-call engineers' Alerts pages refreshing together, and a services list polling.
    const answers = Array.from({ length: 21 }, (_, i) => fleetLikelyCause(snapshot, observed, NOW + i * 100));
    expect(observed).toHaveBeenCalledTimes(1);
    expect(answers[0]?.origins.map((origin) => origin.id)).toEqual(['payments']);
    for (const answer of answers) expect(answer).toBe(answers[0]);
    fleetLikelyCause(outage(2), observed, NOW + 2_100);
    expect(observed).toHaveBeenCalledTimes(2);
  });

  it('builds again on one snapshot once its call statistics are as old as the map lets its own be', () => {
    const observed = vi.fn(() => calls);
    const snapshot = outage(1);
    fleetLikelyCause(snapshot, observed, NOW);
    fleetLikelyCause(snapshot, observed, NOW + LIKELY_CAUSE_MAX_AGE_MS - 1);
    expect(observed).toHaveBeenCalledTimes(1);
    fleetLikelyCause(snapshot, observed, NOW + LIKELY_CAUSE_MAX_AGE_MS);
    expect(observed).toHaveBeenCalledTimes(2);
  });

  it('answers no cause, logged once per snapshot, when the computation throws — nothing escapes into the request', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const observed = vi.fn((): EdgeStats[] => {
      throw new Error('series gone');
    });
    const snapshot = outage(1);
    expect(fleetLikelyCause(snapshot, observed, NOW)).toBe(NO_CAUSE);
    expect(fleetLikelyCause(snapshot, observed, NOW + 100)).toBe(NO_CAUSE);
    expect(observed).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledTimes(1);
  });
});

describe('a callee that hangs: calls that never finish are never reported', () => {
  const fleet = (seq: number, status: Status, ordersDependsOn?: string): SummarySnapshot => ({ ...outage(seq), services: [service('orders', status, ordersDependsOn), service('payments', status)] });
  /** Five minutes of orders → payments (no dependsOn: an observed edge only), reported every 5 s from NOW. */
  const calledForFiveMinutes = (latency: ReturnType<typeof createMetricsStore>, clock: { t: number }) => {
    for (let start = NOW; start < NOW + 5 * 60_000; start += 5_000) {
      clock.t = start + 5_000;
      latency.ingest({ reporter: { service: 'orders', instance: 'orders-0' }, intervalStart: new Date(start).toISOString(), intervalSeconds: 5, calls: [{ to: 'payments', count: 50, errors: 0, latencyMs: { bounds: [20], counts: [50, 0] } }] });
      latency.sweep();
    }
  };
  const originsOf = (snapshot: SummarySnapshot, edges: () => readonly EdgeStats[], now: number) => fleetLikelyCause(snapshot, edges, now).origins.map((origin) => [origin.id, origin.explains]);

  it('names it the origin of its failing caller from the edge this run saw calls on, for the 15 min the edge is held; past them only a declared dependsOn does', () => {
    const clock = { t: NOW };
    let snapshot = fleet(1, 'passing');
    const latency = createMetricsStore({ now: () => clock.t });
    calledForFiveMinutes(latency, clock);
    // payments hangs; orders' threads block on it; both critical on their probes, and orders reports no calls to it.
    for (const [seq, after] of [[2, 2 * 60_000], [3, 14 * 60_000]] as const) {
      snapshot = fleet(seq, 'critical');
      clock.t = NOW + 5 * 60_000 + after;
      latency.sweep();
      expect(originsOf(snapshot, () => latency.edges(), clock.t), `${after} ms into the hang`).toEqual([['payments', ['orders']]]);
    }
    // Half an hour into the hang the undeclared edge is gone (the documented limit)…
    clock.t = NOW + 35 * 60_000;
    latency.sweep();
    snapshot = fleet(4, 'critical');
    expect(latency.edges()).toEqual([]);
    expect(originsOf(snapshot, () => latency.edges(), clock.t)).not.toContainEqual(['payments', ['orders']]);
    // …and declared with dependsOn it stays on the map, payments the origin.
    snapshot = fleet(5, 'critical', 'payments');
    expect(originsOf(snapshot, () => latency.edges(), clock.t)).toEqual([['payments', ['orders']]]);
  });

  it('does not bring back an edge last called 3 days ago when both its ends fail for unrelated reasons: no origin named from it, so neither alert is held', () => {
    const clock = { t: NOW };
    let snapshot = fleet(1, 'passing');
    const latency = createMetricsStore({ now: () => clock.t });
    calledForFiveMinutes(latency, clock);
    clock.t = NOW + 3 * 86_400_000;
    latency.sweep();
    snapshot = fleet(2, 'critical');
    expect(latency.edgePairs()).toEqual([]);
    expect(latency.edges()).toEqual([]);
    expect(originsOf(snapshot, () => latency.edges(), clock.t)).not.toContainEqual(['payments', ['orders']]);
  });
});
