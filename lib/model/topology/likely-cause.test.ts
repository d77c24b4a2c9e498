import { describe, expect, it } from 'vitest';
import type { Instance, Lost, Status } from '../instance';
import type { EdgeStats } from '../latency';
import { summarizeInstances } from '../service-summary';
import { likelyCause, likelyCauseOfFleet, NO_CAUSE } from './likely-cause';
import { deriveTopologyFromSummaries } from './topology';

const NOW = Date.parse('2026-12-07T00:54:00Z');
const synced = { state: 'synced' } as const;

/** A service of two instances through the real summary, each with `status`, or `lost` (then out of discovery). */
function service(name: string, status: Status, options: { lost?: Lost; dependsOn?: string; slow?: true } = {}) {
  const instances = [0, 1].map(
    (i): Instance => ({
      id: `${name}-${i}`,
      service: name,
      key: `/services/${name}/${name}-${i}`,
      address: `10.0.0.${i}:80`,
      format: 'native',
      metadata: options.dependsOn === undefined ? {} : { dependsOn: options.dependsOn },
      status,
      drain: null,
      passedAt: new Date(NOW - 60_000).toISOString(),
      ...(options.lost ? { lost: options.lost } : {}),
      ...(options.slow ? { statusCause: 'p95 438 ms, 18× its usual 25 ms', statusCauseKind: 'latency' as const } : {}),
    }),
  );
  return summarizeInstances(name, instances);
}

const checking = (atMs: number): Lost => ({ at: new Date(atMs).toISOString(), cause: 'left discovery while its probes passed — checking whether it still serves', passingBefore: 3, checking: true });
const call = (from: string, to: string, errorRate: number): EdgeStats => ({ from, to, rps: 5, errorRate, p50Ms: 3, p95Ms: 9, p99Ms: 12 });
/** Calls without errors whose p95 is `p95Ms` against a usual 25 ms. */
const slowCall = (from: string, to: string, p95Ms: number): EdgeStats => ({ from, to, rps: 5, errorRate: 0, p50Ms: p95Ms / 3, p95Ms, p99Ms: p95Ms, baselineP95Ms: 25 });

describe('likelyCauseOfFleet (what the Alerts page opens with)', () => {
  it('says the fleet left etcd together while the checks run, though nothing fails or alerts', () => {
    const summaries = ['a', 'b', 'c'].map((name, i) => service(name, 'unknown', { lost: checking(NOW - 5_000 + i * 100) }));
    expect(likelyCauseOfFleet(summaries, [], synced, NOW)).toEqual({ origins: [], departure: { services: 3, at: new Date(NOW - 5_000).toISOString(), checking: true } });
  });

  it('names the origin the map names, with its kind', () => {
    const summaries = [service('orders', 'critical', { dependsOn: 'payments' }), service('payments', 'critical')];
    const observed = [call('orders', 'payments', 1)];
    const cause = likelyCauseOfFleet(summaries, observed, synced, NOW);
    expect(cause.origins.map(({ id, kind }) => ({ id, kind }))).toEqual([{ id: 'payments', kind: 'service' }]);
    expect(cause).toEqual(likelyCause(deriveTopologyFromSummaries(summaries, observed), synced, NOW));
  });

  it('finds a failing database, which has no status of its own, by its callers\u2019 errors', () => {
    const summaries = [service('orders', 'critical'), service('billing', 'critical')];
    const observed = [call('orders', 'postgres', 1), call('billing', 'postgres', 1)].map((edge) => ({ ...edge, toKind: 'database' as const }));
    const cause = likelyCauseOfFleet(summaries, observed, synced, NOW);
    expect(cause.origins.map(({ id, kind }) => ({ id, kind }))).toEqual([{ id: 'postgres', kind: 'database' }]);
    expect(cause).toEqual(likelyCause(deriveTopologyFromSummaries(summaries, observed), synced, NOW));
  });

  it('names the database the slow services wait on, which has no status of its own, the origin', () => {
    // The new-user pass: the demo restarted on a busy machine, reviews amber for latency with its
    // own calls to postgres 9× their usual. c59eef3 named nobody; before it, "Likely origin: reviews".
    const summaries = [service('catalog', 'warning', { dependsOn: 'reviews', slow: true }), service('reviews', 'warning', { dependsOn: 'postgres', slow: true }), service('payments', 'passing')];
    const slowDatabase = [slowCall('catalog', 'reviews', 400), { ...slowCall('reviews', 'postgres', 230), toKind: 'database' as const }];
    const cause = likelyCauseOfFleet(summaries, slowDatabase, synced, NOW);
    expect(cause.origins.map(({ id, kind, explains, slow }) => ({ id, kind, explains, slow }))).toEqual([{ id: 'postgres', kind: 'database', explains: ['catalog', 'reviews'], slow: true }]);
    // reviews' calls to postgres as fast as usual: the slowness starts at reviews.
    const ownSlowness = [slowCall('catalog', 'reviews', 400), { ...slowCall('reviews', 'postgres', 27), toKind: 'database' as const }];
    expect(likelyCauseOfFleet(summaries, ownSlowness, synced, NOW).origins.map(({ id, explains }) => ({ id, explains }))).toEqual([{ id: 'reviews', explains: ['catalog'] }]);
  });

  it('keeps a slow service the origin when only its own calls to a passing service are slow (they are timed by it, saturated)', () => {
    // orders' CPU is saturated: its calls to payments read 200 ms against 25, billing's read 26 ms,
    // and payments passes. c59eef3 named nobody.
    const summaries = [service('gateway', 'warning', { dependsOn: 'orders', slow: true }), service('orders', 'warning', { dependsOn: 'payments', slow: true }), service('billing', 'passing', { dependsOn: 'payments' }), service('payments', 'passing')];
    const saturated = [slowCall('gateway', 'orders', 900), slowCall('orders', 'payments', 200), slowCall('billing', 'payments', 26)];
    expect(likelyCauseOfFleet(summaries, saturated, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([{ id: 'orders', explains: ['gateway'], slow: undefined }]);
    // billing sees payments slow too: payments is where it starts, though its own status passes.
    const slowFromTwo = [slowCall('gateway', 'orders', 900), slowCall('orders', 'payments', 200), slowCall('billing', 'payments', 180)];
    expect(likelyCauseOfFleet(summaries, slowFromTwo, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([{ id: 'payments', explains: ['gateway', 'orders'], slow: true }]);
  });

  it('has no cause for a fleet with nothing failing', () => {
    const summaries = [service('orders', 'passing', { dependsOn: 'payments' }), service('payments', 'passing')];
    expect(likelyCauseOfFleet(summaries, [call('orders', 'payments', 0)], synced, NOW)).toBe(NO_CAUSE);
  });
});
