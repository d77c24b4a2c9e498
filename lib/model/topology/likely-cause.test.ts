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
    // reviews amber for latency with its own calls to postgres, its one dependency, 9× their usual
    // (the new-user pass's reviews; that machine was busy, every call slow: see the busy-machine
    // test). c59eef3 named nobody; before it, "Likely origin: reviews".
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

  it('keeps a saturated service the origin when it is slow to several dependencies nobody else sees slow (review r5)', () => {
    // orders' CPU is saturated: its calls to postgres read 230 ms and to payments 200 ms against 25,
    // while billing's calls to payments read 26 ms and payments passes. 4b262b1 named postgres and
    // explained orders away.
    const summaries = [service('gateway', 'warning', { dependsOn: 'orders', slow: true }), service('orders', 'warning', { dependsOn: 'payments', slow: true }), service('billing', 'passing', { dependsOn: 'payments' }), service('payments', 'passing')];
    const saturated = [slowCall('gateway', 'orders', 900), slowCall('orders', 'payments', 200), { ...slowCall('orders', 'postgres', 230), toKind: 'database' as const }, slowCall('billing', 'payments', 26)];
    expect(likelyCauseOfFleet(summaries, saturated, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([{ id: 'orders', explains: ['gateway'], slow: undefined }]);
    // billing waits on postgres too, slow for it: postgres is slow, and orders waits on it.
    const billingSlow = summaries.map((summary) => (summary.name === 'billing' ? service('billing', 'warning', { dependsOn: 'payments', slow: true }) : summary));
    const sharedSlow = [...saturated, { ...slowCall('billing', 'postgres', 210), toKind: 'database' as const }];
    expect(likelyCauseOfFleet(billingSlow, sharedSlow, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([{ id: 'postgres', explains: ['billing', 'gateway', 'orders'], slow: true }]);
  });

  it('names nothing on a busy machine, every service slow and every call it times slow too (review r5)', () => {
    // The demo's shop on one overloaded host: each service amber for latency and each call slow
    // against its usual, the simulated postgres and redis calls too (they are timed in the caller's
    // process). 4b262b1 named redis and postgres.
    const shop = [
      service('api-gateway', 'warning', { dependsOn: 'auth', slow: true }),
      service('auth', 'warning', { dependsOn: 'users', slow: true }),
      service('users', 'warning', { slow: true }),
      service('catalog', 'warning', { dependsOn: 'reviews', slow: true }),
      service('reviews', 'warning', { slow: true }),
    ];
    // Calls tell postgres a database; redis is a name only calls mention here (nothing declares it a cache).
    const store = (from: string, to: 'postgres' | 'redis', p95Ms: number): EdgeStats => ({ ...slowCall(from, to, p95Ms), ...(to === 'postgres' ? { toKind: 'database' as const } : {}) });
    const busy = [
      slowCall('api-gateway', 'auth', 700),
      slowCall('api-gateway', 'catalog', 650),
      store('api-gateway', 'redis', 180),
      store('auth', 'redis', 160),
      slowCall('auth', 'users', 400),
      store('users', 'redis', 170),
      store('users', 'postgres', 260),
      store('catalog', 'redis', 150),
      store('catalog', 'postgres', 240),
      slowCall('catalog', 'reviews', 420),
      store('reviews', 'postgres', 230),
    ];
    expect(likelyCauseOfFleet(shop, busy, synced, NOW).origins).toEqual([]);
    // One more service slow on that host that calls nothing is no sign of a quiet one: d466ef2's
    // every-caller-slow condition then named postgres for all five.
    expect(likelyCauseOfFleet([...shop, service('thumbnails', 'warning', { slow: true })], busy, synced, NOW).origins).toEqual([]);
    // postgres slow on a quiet machine: the calls to redis read as usual, and postgres is named.
    const slowPostgres = busy.map((edge) => (edge.to === 'redis' ? { ...edge, p95Ms: 27 } : edge));
    expect(likelyCauseOfFleet(shop, slowPostgres, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([
      { id: 'postgres', explains: ['api-gateway', 'auth', 'catalog', 'reviews', 'users'], slow: true },
    ]);
  });

  it('names a service slow by its own status that calls nothing, under a diamond of slow callers: a slow leaf is no busy host (review of 6bc6163)', () => {
    // payments slow by its own p95, calling nothing; gateway → orders and checkout, checkout →
    // orders, both → payments, each slow by latency. 6bc6163 counted the calls to services already
    // failing by their status as "slow to several", read a busy host and named nothing.
    const summaries = [
      service('gateway', 'warning', { slow: true }),
      service('orders', 'warning', { dependsOn: 'payments', slow: true }),
      service('checkout', 'warning', { dependsOn: 'payments', slow: true }),
      service('payments', 'warning', { slow: true }),
    ];
    const diamond = [slowCall('gateway', 'orders', 900), slowCall('gateway', 'checkout', 900), slowCall('checkout', 'orders', 800), slowCall('orders', 'payments', 700), slowCall('checkout', 'payments', 700)];
    expect(likelyCauseOfFleet(summaries, diamond, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }))).toEqual([
      { id: 'payments', explains: ['checkout', 'gateway', 'orders'], slow: undefined },
    ]);
  });

  it('names a shared slow database whatever calls the slow services make to each other (review of 6bc6163)', () => {
    // postgres slow to orders, users and payments; orders → payments, a gateway over orders and
    // users. 6bc6163 counted gateway's and orders' calls to services failing by their status as
    // slow to several, read a busy host and named nothing; without the gateway, postgres.
    const summaries = [service('orders', 'warning', { slow: true }), service('users', 'warning', { slow: true }), service('payments', 'warning', { slow: true })];
    const database = (from: string): EdgeStats => ({ ...slowCall(from, 'postgres', 300), toKind: 'database' as const });
    const sharedDatabase = [slowCall('orders', 'payments', 700), database('orders'), database('users'), database('payments')];
    const pick = (fleet: typeof summaries, edges: EdgeStats[]) => likelyCauseOfFleet(fleet, edges, synced, NOW).origins.map(({ id, explains, slow }) => ({ id, explains, slow }));
    expect(pick(summaries, sharedDatabase)).toEqual([{ id: 'postgres', explains: ['orders', 'payments', 'users'], slow: true }]);
    const withGateway = [service('gateway', 'warning', { slow: true }), ...summaries];
    expect(pick(withGateway, [slowCall('gateway', 'orders', 900), slowCall('gateway', 'users', 900), ...sharedDatabase])).toEqual([
      { id: 'postgres', explains: ['gateway', 'orders', 'payments', 'users'], slow: true },
    ]);
  });

  it('has no cause for a fleet with nothing failing', () => {
    const summaries = [service('orders', 'passing', { dependsOn: 'payments' }), service('payments', 'passing')];
    expect(likelyCauseOfFleet(summaries, [call('orders', 'payments', 0)], synced, NOW)).toBe(NO_CAUSE);
  });
});
