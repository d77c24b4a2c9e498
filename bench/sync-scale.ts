import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { createEtcdClient } from '@/lib/server/etcd/client';
import { createRegistry } from '@/lib/server/registry/sync';
import { createStore } from '@/lib/server/store/store';
import { load, type Sample } from './snapshot';
import { median } from './stats';

/**
 * Initial sync at scale, in this process: the registry's list → decode → store → watch, from
 * `registry.start()` to `registry.synced()`, against a raw etcd3 listing of the same keys in the
 * same run (one range request, no decoding). Then the lease-TTL refresh of 10,000 leases.
 */

export interface SyncScaleSize {
  keys: number;
  loadMs: number;
  rawListMs: Sample;
  syncMs: Sample;
  /** RSS of this process right after a sync, the store holding every instance. */
  rssAfterSync: number;
  heapUsedAfterSync: number;
}

export interface SyncScaleResult {
  sizes: SyncScaleSize[];
  leases: number;
  leaseTtlRefreshMs: Sample;
}

export const TARGET_SYNC_RATIO = 3;
export const TARGET_LEASE_TTL_MS = 50;
const SIZES = [10_000, 100_000];
const INSTANCES_PER_SERVICE = 10;
const LEASES = 10_000;
const PREFIX = '/services/';

const sample = (values: number[]): Sample => ({ median: median(values), max: Math.max(...values), all: values });

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function measureSize(endpoint: string, keys: number, repeats: number, log: (message: string) => void): Promise<SyncScaleSize> {
  // Unlimited receive size: the baseline takes the whole prefix in one response, however large.
  const raw = new Etcd3({ hosts: endpoint, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
  const product = createEtcdClient({ endpoints: [endpoint] });
  try {
    await raw.delete().prefix(PREFIX);
    const t0 = performance.now();
    const loaded = await load(raw, { services: keys / INSTANCES_PER_SERVICE, instancesPerService: INSTANCES_PER_SERVICE });
    const loadMs = performance.now() - t0;
    log(`  sync at ${loaded.toLocaleString('en-US')} keys (loaded in ${loadMs.toFixed(0)} ms)`);
    await product.maintenance.status(); // both clients connected before timing
    const rawTimes: number[] = [];
    const syncTimes: number[] = [];
    let rssAfterSync = 0;
    let heapUsedAfterSync = 0;
    // Alternating, with a warm-up round of each that is not kept.
    for (let i = 0; i <= repeats; i += 1) {
      const rawMs = await timed(async () => {
        const response = await raw.getAll().prefix(PREFIX).exec();
        if (response.kvs.length !== loaded) throw new Error(`raw listing returned ${response.kvs.length} keys, expected ${loaded}`);
      });
      const store = createStore({ coalesceMs: 10 });
      const registry = createRegistry({
        client: product,
        store,
        prefixes: [],
        controlPrefix: '/switchyard/',
        counters: { watchEvents: () => undefined, relists: () => undefined },
        log: () => undefined,
      });
      const syncMs = await timed(async () => {
        registry.start();
        await registry.synced();
      });
      if (store.instanceCount() !== loaded) throw new Error(`registry synced ${store.instanceCount()} instances, expected ${loaded}`);
      rssAfterSync = process.memoryUsage.rss();
      heapUsedAfterSync = process.memoryUsage().heapUsed;
      await registry.stop();
      store.close();
      if (i > 0) {
        rawTimes.push(rawMs);
        syncTimes.push(syncMs);
      }
    }
    return { keys: loaded, loadMs, rawListMs: sample(rawTimes), syncMs: sample(syncTimes), rssAfterSync, heapUsedAfterSync };
  } finally {
    await raw.delete().prefix(PREFIX).catch(() => undefined);
    raw.close();
    product.close();
  }
}

/** 10,000 keys on 10,000 leases; each lease's TTL arrives once, as the lease lookup delivers them. */
function measureLeaseTtlRefresh(repeats: number): Sample {
  const times: number[] = [];
  // A warm-up round that is not kept, as for the syncs: the first rounds time the JIT, not the index.
  for (let r = 0; r <= repeats; r += 1) {
    const store = createStore({ coalesceMs: 10 });
    for (let i = 0; i < LEASES; i += 1) {
      const id = `i-${i}`;
      store.upsertKey({ etcdKey: `${PREFIX}leased/${id}`, lease: String(i + 1), registrations: [{ service: 'leased', id, address: `127.0.0.1:${10_000 + (i % 50_000)}`, format: 'native', metadata: {} }] });
    }
    store.flush();
    const t0 = performance.now();
    for (let i = 0; i < LEASES; i += 1) store.setLeaseTtl(String(i + 1), 30);
    if (r > 0) times.push(performance.now() - t0);
    store.close();
  }
  return sample(times);
}

export async function runSyncScale(options: { etcdEndpoint: string; log: (message: string) => void; sizes?: number[] }): Promise<SyncScaleResult> {
  // First, while this process's heap is small: the 100k-key syncs leave garbage that GC would charge to it.
  options.log(`  lease-TTL refresh of ${LEASES.toLocaleString('en-US')} leases`);
  const leaseTtlRefreshMs = measureLeaseTtlRefresh(5);
  const sizes: SyncScaleSize[] = [];
  for (const keys of options.sizes ?? SIZES) sizes.push(await measureSize(options.etcdEndpoint, keys, keys > 10_000 ? 3 : 5, options.log));
  return { sizes, leases: LEASES, leaseTtlRefreshMs };
}
