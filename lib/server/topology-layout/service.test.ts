import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsStore } from '../metrics-store/store';
import { createStore, type Store } from '../store/store';
import type { TopologyLayoutCache } from './cache';
import { startTopologyLayout } from './service';

const register = (store: Store, service: string, dependsOn: string[]): void =>
  store.upsertKey({ etcdKey: `/services/${service}/1`, lease: undefined, registrations: [{ service, id: `${service}-1`, address: '127.0.0.1:9', format: 'native', metadata: {}, dependsOn }] });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startTopologyLayout (real store, metrics store and worker thread)', () => {
  let layouts: TopologyLayoutCache | undefined;
  afterEach(() => layouts?.stop());

  const fleet = (): { store: Store; latency: ReturnType<typeof createMetricsStore> } => {
    const store = createStore({ coalesceMs: 0 });
    register(store, 'gateway', ['orders']);
    register(store, 'orders', ['postgres']);
    return { store, latency: createMetricsStore() };
  };

  it('waits for the first call statistics, then lays out; a status change lays out nothing', async () => {
    const { store, latency } = fleet();
    layouts = startTopologyLayout({ store, latency, log: () => undefined, patienceMs: 60_000 });
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
