import { afterEach, describe, expect, it } from 'vitest';
import type { Format, Service } from '@/lib/model/instance';
import type { EdgeStats } from '@/lib/model/latency';
import { deriveTopology } from '@/lib/model/topology/topology';
import { buildViewGraph } from '@/lib/model/topology/group';
import { layoutInputOf } from '@/lib/model/topology/layout-input';
import { AUTO_GROUP_THRESHOLD, effectiveGrouping } from '@/lib/model/topology/view';
import { createMetricsStore, type MetricsStore } from '../metrics-store/store';
import { createStore, type Store } from '../store/store';
import type { LayoutInput, TopologyLayoutCache } from './cache';
import { layoutSource, startTopologyLayout } from './service';

const register = (store: Store, service: string, dependsOn: string[]): void =>
  store.upsertKey({ etcdKey: `/services/${service}/1`, lease: undefined, registrations: [{ service, id: `${service}-1`, address: '127.0.0.1:9', format: 'native', metadata: {}, dependsOn }] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startTopologyLayout (real store, metrics store and worker thread)', () => {
  let layouts: TopologyLayoutCache | undefined;
  afterEach(() => layouts?.stop());

  const fleet = (): { store: Store; latency: MetricsStore } => {
    const store = createStore({ coalesceMs: 0 });
    register(store, 'gateway', ['orders']);
    register(store, 'orders', ['postgres']);
    return { store, latency: createMetricsStore() };
  };

  it('waits for the first call statistics, then lays out; a status change lays out nothing', async () => {
    const { store, latency } = fleet();
    layouts = startTopologyLayout({ store, latency, log: () => undefined, patienceMs: 60_000, relayoutSpacingMs: () => 600_000 });
    await sleep(300);
    expect(await layouts.settled(10)).toBeUndefined();

    latency.ingest({ reporter: { service: 'orders', instance: 'orders-1' }, intervalStart: new Date(Date.now() - 1_000).toISOString(), intervalSeconds: 1, calls: [{ to: 'kafka', count: 5, errors: 0, latencyMs: { bounds: [5], counts: [5, 0] } }] });
    let layout = await layouts.settled(10);
    for (let i = 0; i < 100 && !layout; i += 1) layout = await sleep(100).then(() => layouts?.settled(20_000));
    // The observed call to kafka shaped the first layout: kafka is on it.
    expect(layout?.positions.map(([id]) => id).sort()).toEqual(['n:gateway', 'n:kafka', 'n:orders', 'n:postgres']);
    const runs = layouts.layoutRuns();

    store.setHealth('/services/orders/1', { status: 'critical', statusCause: 'HTTP 503' });
    store.flush();
    await sleep(500);
    expect(await layouts.settled(20_000)).toEqual(layout);
    expect(layouts.layoutRuns()).toBe(runs);

    register(store, 'audit', ['orders']);
    store.flush();
    await sleep(500);
    // Placed at once without moving anyone (the whole layout the new edge calls for is due in 10 min).
    const after = await layouts.settled(20_000);
    expect(after?.positions).toHaveLength(5);
    for (const entry of layout?.positions ?? []) expect(after?.positions).toContainEqual(entry);
  });

  it('lays out a fleet that reports no calls once the patience is over', async () => {
    const { store, latency } = fleet();
    layouts = startTopologyLayout({ store, latency, log: () => undefined, patienceMs: 200 });
    let layout = await layouts.settled(10);
    for (let i = 0; i < 100 && !layout; i += 1) layout = await sleep(100).then(() => layouts?.settled(20_000));
    expect(layout?.positions.map(([id]) => id).sort()).toEqual(['n:gateway', 'n:orders', 'n:postgres']);
  });
});

/** The default view's layout input as it was built before summaries: from every service's instances. */
function layoutInputFromServices(services: readonly Service[], observed: readonly EdgeStats[]): LayoutInput {
  const topology = deriveTopology(services, observed);
  const { mode, autoCollapse } = effectiveGrouping({ by: '' }, topology.nodes.length);
  const graph = buildViewGraph(topology, mode, () => autoCollapse);
  return { mode, groups: graph.groups, ...layoutInputOf(graph, new Map(topology.nodes.map((node) => [node.id, node]))) };
}

const NO_FIGURES = { rps: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null } as const;

describe('layoutSource (real store and metrics store)', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  const put = (service: string, n: number, patch: { dependsOn?: string[]; metadata?: Record<string, string>; zone?: string; format?: Format } = {}): void =>
    store?.upsertKey({
      etcdKey: `/services/${service}/${n}`,
      lease: undefined,
      registrations: [{ service, id: `${service}-${n}`, address: `127.0.0.1:${n + 1}`, format: patch.format ?? 'native', metadata: patch.metadata ?? {}, dependsOn: patch.dependsOn ?? [], ...(patch.zone ? { zone: patch.zone } : {}) }],
    });
  const calls = (latency: MetricsStore, from: string, to: string): void => {
    latency.ingest({ reporter: { service: from, instance: `${from}-1` }, intervalStart: new Date(Date.now() - 1_000).toISOString(), intervalSeconds: 1, calls: [{ to, count: 5, errors: 1, latencyMs: { bounds: [5], counts: [5, 0] } }] });
  };
  /** What the source gives, next to what the services' instances give. */
  const both = (latency: MetricsStore): { fromSummaries: LayoutInput; fromServices: LayoutInput } => {
    if (!store) throw new Error('no store');
    return {
      fromSummaries: layoutSource(store, latency)(),
      fromServices: layoutInputFromServices(store.snapshot().services, latency.edgePairs().map((pair) => ({ ...pair, ...NO_FIGURES }))),
    };
  };

  /** A small fleet with every way of declaring a neighbour, statuses, drains and zones. */
  const variedFleet = (): MetricsStore => {
    store = createStore({ coalesceMs: 0 });
    put('gateway', 1, { dependsOn: ['orders', 'users', 'gateway'], zone: 'a' });
    put('gateway', 2, { dependsOn: ['orders'], zone: 'b' });
    put('orders', 1, { dependsOn: ['postgres', 'payments'], metadata: { 'external.postgres': 'database', 'external.redis': 'cache' } });
    put('orders', 2, { dependsOn: ['postgres'], metadata: { 'external.postgres': 'queue' } });
    put('orders-worker', 1, { format: 'kratos', metadata: { dependsOn: 'orders, kafka ,', 'external.kafka': 'queue' } });
    put('payments', 1, { dependsOn: ['ledger-db'] });
    put('users', 1);
    put('users.rpc', 1, { dependsOn: ['users'] });
    store.setHealth('/services/payments/1', { status: 'critical', statusCause: 'HTTP 503' });
    store.setDrain('users', 'users-1', { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' });
    const latency = createMetricsStore();
    calls(latency, 'gateway', 'orders');
    calls(latency, 'orders', 'stripe');
    return latency;
  };

  it('gives what the services\' instances give, for a varied fleet', () => {
    const { fromSummaries, fromServices } = both(variedFleet());
    expect(fromSummaries.mode).toBe('none');
    expect(fromSummaries.nodes.map((node) => node.id)).toContain('n:stripe');
    expect(fromSummaries.nodes.map((node) => node.id)).toContain('n:redis');
    expect(fromSummaries).toEqual(fromServices);
  });

  it('gives what the services\' instances give, for a fleet grouped by namespace', () => {
    store = createStore({ coalesceMs: 0 });
    const namespaces = 40;
    const services = AUTO_GROUP_THRESHOLD + 100;
    for (let i = 0; i < services; i += 1) {
      const name = `ns${i % namespaces}-svc-${i}`;
      const next = `ns${(i + 1) % namespaces}-svc-${i + 1}`;
      put(name, 1, { dependsOn: i % 3 === 0 ? [next, `db-${i % 7}`] : [next], zone: `z${i % 3}` });
      if (i % 5 === 0) put(name, 2, { metadata: { [`external.cache-${i % 4}`]: 'cache', commit: `c${i}` } });
    }
    const latency = createMetricsStore();
    calls(latency, 'ns1-svc-1', 'ns2-svc-2');
    calls(latency, 'ns3-svc-3', 'payments-gateway');
    const { fromSummaries, fromServices } = both(latency);
    expect(fromSummaries.mode).toBe('namespace');
    expect(fromSummaries.groups.size).toBe(namespaces);
    expect(fromSummaries).toEqual(fromServices);
  });

  it('gives the same nodes, edges and groups after changes the structural watch ignores', () => {
    const latency = variedFleet();
    const before = layoutSource(store as Store, latency)();
    // New replicas with metadata of their own (one giving an external another kind), a status, a drain.
    for (let n = 3; n < 50; n += 1) put(n % 2 === 0 ? 'orders' : 'gateway', n, { metadata: { commit: `c${n}`, ...(n === 4 ? { 'external.redis': 'database' } : {}) }, zone: `z${n % 4}` });
    store?.setHealth('/services/users/1', { status: 'warning', statusCause: 'slow' });
    store?.setDrain('orders', 'orders-2', { by: 'ops', reason: 'deploy', at: '2026-01-01T00:00:00Z' });
    const after = layoutSource(store as Store, latency)();
    expect(after.nodes).toEqual(before.nodes);
    expect(after.edges).toEqual(before.edges);
    expect([...after.groups.values()].map((group) => group.members)).toEqual([...before.groups.values()].map((group) => group.members));
  });
});
