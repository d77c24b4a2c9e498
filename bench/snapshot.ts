import { performance } from 'node:perf_hooks';
import type { Etcd3 } from 'etcd3';
import { liveClient, rawEtcd, sleep, subscribeSummary, within } from './clients';
import { startHost, type Host, type Ready, type SnapshotMeasured } from './host';
import { median } from './stats';

/**
 * Snapshot at scale: 10,000 instances in 1,000 services in etcd; the runtime (in its own process)
 * syncs them, then fresh Socket.IO clients connect and time connect → `summary:snapshot`.
 * Baselines in the same run: a raw etcd3 getAll() of the prefix and JSON.stringify of the snapshot.
 */

export interface SnapshotPlan {
  services: number;
  instancesPerService: number;
  /** Fresh clients per transport mode, one after another. */
  repeats: number;
}

export interface Sample {
  median: number;
  max: number;
  all: number[];
}

export interface SnapshotResult extends SnapshotPlan {
  keys: number;
  loadMs: number;
  rawListMs: Sample;
  ready: Ready;
  measured: SnapshotMeasured;
  build: Sample;
  stringify: Sample;
  /** Connect → summary:snapshot, default transports (long-polling first, as the browser does). */
  receiptDefault: Sample;
  /** Connect → summary:snapshot, WebSocket only. */
  receiptWebsocket: Sample;
}

export const DEFAULT_SNAPSHOT_PLAN: SnapshotPlan = { services: 1_000, instancesPerService: 10, repeats: 5 };
export const TARGET_SNAPSHOT_MS = 200;
export const TARGET_RSS_BYTES = 300 * 1024 * 1024;

const PREFIX = '/services/';
const TXN_OPS = 100; // etcd's default --max-txn-ops is 128
const TXN_CONCURRENCY = 4;

const sample = (values: number[]): Sample => ({ median: median(values), max: Math.max(...values), all: values });

/** Writes the fleet in transactions of TXN_OPS puts, TXN_CONCURRENCY at a time. */
export async function load(client: Etcd3, plan: Pick<SnapshotPlan, 'services' | 'instancesPerService'>): Promise<number> {
  const batches: { key: Buffer; value: Buffer }[][] = [];
  let batch: { key: Buffer; value: Buffer }[] = [];
  for (let s = 0; s < plan.services; s += 1) {
    const service = `svc-${String(s).padStart(4, '0')}`;
    for (let i = 0; i < plan.instancesPerService; i += 1) {
      const port = 10_000 + ((s * plan.instancesPerService + i) % 50_000);
      batch.push({
        key: Buffer.from(`${PREFIX}${service}/${service}-${String(i).padStart(2, '0')}`),
        value: Buffer.from(JSON.stringify({ address: `127.0.0.1:${port}` })),
      });
      if (batch.length === TXN_OPS) {
        batches.push(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) batches.push(batch);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const ops = batches[next] ?? [];
      next += 1;
      await client.kv.txn({ compare: [], success: ops.map((put) => ({ request_put: put })) });
    }
  };
  await Promise.all(Array.from({ length: TXN_CONCURRENCY }, worker));
  return batches.reduce((total, ops) => total + ops.length, 0);
}

async function timeRawList(client: Etcd3, repeats: number, expected: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= repeats; i += 1) {
    const t0 = performance.now();
    const all = await client.getAll().prefix(PREFIX).strings();
    const elapsed = performance.now() - t0;
    const count = Object.keys(all).length;
    if (count !== expected) throw new Error(`raw list returned ${count} keys, expected ${expected}`);
    if (i > 0) times.push(elapsed); // the first call also opens the connection: warm-up
  }
  return times;
}

async function timeSnapshotReceipt(url: string, token: string, expected: number, websocketOnly: boolean): Promise<number> {
  const t0 = performance.now();
  const socket = liveClient(url, token, { websocketOnly });
  try {
    // What the console's first view needs: the summary (the services list, the map, the header).
    const snapshot = await within(subscribeSummary(socket), 30_000, 'summary:snapshot');
    const elapsed = performance.now() - t0;
    const count = snapshot.services.reduce((total, service) => total + service.instances, 0);
    if (count !== expected) throw new Error(`summary counted ${count} instances, expected ${expected}`);
    return elapsed;
  } finally {
    socket.close();
  }
}

export interface SnapshotOptions {
  etcdEndpoint: string;
  dataDir: string;
  plan?: SnapshotPlan;
  log: (message: string) => void;
}

export async function runSnapshot(options: SnapshotOptions): Promise<SnapshotResult> {
  const plan = options.plan ?? DEFAULT_SNAPSHOT_PLAN;
  const client = rawEtcd(options.etcdEndpoint);
  let host: Host | undefined;
  try {
    await client.delete().prefix(PREFIX);
    const t0 = performance.now();
    const keys = await load(client, plan);
    const loadMs = performance.now() - t0;
    options.log(`  loaded ${keys} keys in ${loadMs.toFixed(0)} ms`);
    const rawListMs = sample(await timeRawList(client, plan.repeats, keys));

    host = await startHost({ etcdEndpoint: options.etcdEndpoint, dataDir: options.dataDir });
    const ready = host.ready;
    if (ready.instances !== keys) throw new Error(`runtime synced ${ready.instances} instances, expected ${keys}`);
    options.log(`  runtime synced ${ready.instances} instances in ${ready.syncMs.toFixed(0)} ms`);
    await sleep(500); // let the sync's own delta go out before measuring

    const receiptDefault: number[] = [];
    const receiptWebsocket: number[] = [];
    for (let i = 0; i < plan.repeats; i += 1) {
      receiptDefault.push(await timeSnapshotReceipt(host.url, host.ready.token, keys, false));
      await sleep(100);
    }
    for (let i = 0; i < plan.repeats; i += 1) {
      receiptWebsocket.push(await timeSnapshotReceipt(host.url, host.ready.token, keys, true));
      await sleep(100);
    }
    const measured = await host.measureSnapshot(plan.repeats);
    return {
      ...plan,
      keys,
      loadMs,
      rawListMs,
      ready,
      measured,
      build: sample(measured.buildMs),
      stringify: sample(measured.stringifyMs),
      receiptDefault: sample(receiptDefault),
      receiptWebsocket: sample(receiptWebsocket),
    };
  } finally {
    await host?.stop();
    await client.delete().prefix(PREFIX).catch(() => undefined);
    client.close();
  }
}
