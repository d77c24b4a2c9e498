import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { childExecArgv } from './child-argv';
import { rawEtcd, sleep } from './clients';
import { ViewersMessageSchema, type ViewersMeasured, type ViewersRun } from './replica-viewers-messages';
import { forkChild } from './probing';
import { startPostgres } from '../tests/support/postgres';
import { eventually, startServer, type TestServer } from '../tests/support/server';

/**
 * Probing divided between replicas (issue 17): the same fleet of probe targets, each on a loopback
 * address of its own, registered in etcd; one replica, then four, each the real server (server.ts,
 * production build) with DATABASE_URL on one PostgreSQL and one etcd, the product's probe defaults.
 * Per replica over the same window: CPU from /proc/<pid>/stat, probes completed and signals from
 * its `/metrics`.
 */

/**
 * 5,000, not the 20,000: on this 2-core machine 20,000 targets need 20,000 listening ports
 * plus 20,000 kept-alive client ports on 127.0.0.1 (the ephemeral range holds 28,232) and 40,000
 * descriptors in the targets' process (the limit is 20,000), and 4,000 probes/s would take about a
 * core on the targets' side alone. 5,000 is the single-process probing section's fleet, so the
 * 1-replica figure is comparable with it.
 */
export const REPLICA_BENCH_INSTANCES = 5_000;
export const REPLICA_COUNTS = [1, 4] as const;
const SERVICES = 50;
const PREFIX = '/services/';
const TXN_OPS = 100; // etcd's default --max-txn-ops is 128
// After every replica sees the others and a full round of probes is done: one more interval.
const WARMUP_MS = 5_000;
const MEASURE_MS = 30_000;
const SETTLE_TIMEOUT_MS = 90_000;
// Viewers (after the CPU window): the same number of Socket.IO clients in every run, spread evenly
// over its replicas, and puts at a steady rate, so one replica is the same run's baseline for four.
const VIEWERS = 16;
const VIEWER_PUTS_PER_SECOND = 100;
const VIEWER_SECONDS = 10;
const VIEWERS_TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux/x86-64 and arm64
const PAGE_BYTES = 4_096;

export interface ReplicaMeasured {
  pid: number;
  cpuMs: number;
  wallMs: number;
  probes: number;
  signalsSent: number;
  signalsReceived: number;
  signalsDropped: number;
  replicasSeen: number;
  rssBytes: number;
}

export interface ReplicaRun {
  replicas: ReplicaMeasured[];
  /** 1-min load average when the window closed: the machine is shared. */
  loadAtEnd: number;
  /** Put → viewers spread over the replicas vs a raw etcd watcher. */
  viewers: ViewersMeasured;
}

export interface ReplicasResult {
  instances: number;
  warmupMs: number;
  measureMs: number;
  runs: ReplicaRun[];
}

/** user + system CPU ms and RSS of a process, from /proc (fields after the command's closing parenthesis). */
export function parseProcStat(stat: string, statm: string): { cpuMs: number; rssBytes: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const pages = Number(statm.split(' ')[1]);
  return { cpuMs: (ticks * 1_000) / CLOCK_TICKS_PER_SECOND, rssBytes: pages * PAGE_BYTES };
}

const procUsage = (pid: number): { cpuMs: number; rssBytes: number } =>
  parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), readFileSync(`/proc/${pid}/statm`, 'utf8'));

/** The unlabelled or `{outcome="…"}` samples of `/metrics` that this benchmark reads. */
async function metrics(replica: TestServer): Promise<Map<string, number>> {
  const text = await (await replica.fetch('/metrics')).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(switchyard_(?:replicas|probes_completed|replica_signals(?:\{outcome="\w+"\})?)) (\S+)$/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]));
  }
  return values;
}
const metric = (values: Map<string, number>, name: string): number => values.get(name) ?? Number.NaN;

async function register(endpoint: string, addresses: readonly string[]): Promise<void> {
  const client = rawEtcd(endpoint);
  try {
    for (let start = 0; start < addresses.length; start += TXN_OPS) {
      const puts = addresses.slice(start, start + TXN_OPS).map((address, offset) => {
        const n = start + offset;
        const service = `bench-replica-${n % SERVICES}`;
        return { key: Buffer.from(`${PREFIX}${service}/i-${n}`), value: Buffer.from(JSON.stringify({ address, health: { http: '/healthz' } })) };
      });
      await client.kv.txn({ compare: [], success: puts.map((put) => ({ request_put: put })) });
    }
  } finally {
    client.close();
  }
}

/** Runs the viewers' process (bench/replica-viewers.ts) once and returns what it measured. */
async function measureViewers(plan: Omit<ViewersRun, 'type'>): Promise<ViewersMeasured> {
  const child = fork(path.join(import.meta.dirname, 'replica-viewers.ts'), [], {
    execArgv: childExecArgv(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await new Promise<ViewersMeasured>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`viewers: nothing within ${VIEWERS_TIMEOUT_MS} ms\n${output}`)), VIEWERS_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`viewers exited (${code})\n${output}`));
      });
      child.on('message', (raw) => {
        const parsed = ViewersMessageSchema.safeParse(raw);
        if (!parsed.success) return;
        clearTimeout(timer);
        if (parsed.data.type === 'failed') reject(new Error(`viewers failed: ${parsed.data.message}\n${output}`));
        else resolve(parsed.data);
      });
      child.send({ type: 'run', ...plan } satisfies ViewersRun);
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}

async function measureReplicas(count: number, options: { etcdEndpoint: string; databaseUrl: string; instances: number; viewerAddress: string; log: (message: string) => void }): Promise<ReplicaRun> {
  const replicas: TestServer[] = [];
  try {
    // One after another: four Next.js servers each listing 5,000 keys at once overran etcd's list
    // deadline on this shared 2-core machine (relisting in a loop, start-up past 60 s).
    for (let i = 0; i < count; i += 1) replicas.push(await startServer({ etcdEndpoints: [options.etcdEndpoint], env: { DATABASE_URL: options.databaseUrl } }));
    const before = await Promise.all(replicas.map(metrics));
    await eventually(
      async () => {
        const now = await Promise.all(replicas.map(metrics));
        const seeAll = now.every((values) => metric(values, 'switchyard_replicas') === count);
        const probed = now.reduce((total, values, i) => total + metric(values, 'switchyard_probes_completed') - metric(before[i] ?? new Map(), 'switchyard_probes_completed'), 0);
        return seeAll && probed >= options.instances ? true : undefined;
      },
      SETTLE_TIMEOUT_MS,
      `${count} replica(s) seeing each other and one round of probes`,
    );
    options.log(`replicas: ${count} replica(s) settled; ${WARMUP_MS / 1_000} s warm-up, then ${MEASURE_MS / 1_000} s measured`);
    await sleep(WARMUP_MS);
    const pids = replicas.map((replica) => replica.pid ?? Number.NaN);
    const startMetrics = await Promise.all(replicas.map(metrics));
    const startUsage = pids.map(procUsage);
    const startWall = performance.now();
    await sleep(MEASURE_MS);
    const endUsage = pids.map(procUsage);
    const wallMs = performance.now() - startWall;
    const endMetrics = await Promise.all(replicas.map(metrics));
    const delta = (i: number, name: string): number => metric(endMetrics[i] ?? new Map(), name) - metric(startMetrics[i] ?? new Map(), name);
    const loadAtEnd = os.loadavg()[0] ?? Number.NaN;
    options.log(`replicas: ${VIEWERS / count} viewers on each replica, ${VIEWER_PUTS_PER_SECOND} puts/s for ${VIEWER_SECONDS} s`);
    const token = await (replicas[0] as TestServer).createToken({ name: 'bench-viewers', role: 'viewer' });
    const viewers = await measureViewers({
      etcdEndpoint: options.etcdEndpoint,
      urls: replicas.map((replica) => replica.url),
      viewersPerReplica: VIEWERS / count,
      token,
      address: options.viewerAddress,
      putsPerSecond: VIEWER_PUTS_PER_SECOND,
      seconds: VIEWER_SECONDS,
    });
    return {
      loadAtEnd,
      viewers,
      replicas: pids.map((pid, i) => ({
        pid,
        cpuMs: (endUsage[i]?.cpuMs ?? Number.NaN) - (startUsage[i]?.cpuMs ?? Number.NaN),
        wallMs,
        probes: delta(i, 'switchyard_probes_completed'),
        signalsSent: delta(i, 'switchyard_replica_signals{outcome="sent"}'),
        signalsReceived: delta(i, 'switchyard_replica_signals{outcome="received"}'),
        signalsDropped: delta(i, 'switchyard_replica_signals{outcome="dropped"}'),
        replicasSeen: metric(endMetrics[i] ?? new Map(), 'switchyard_replicas'),
        rssBytes: endUsage[i]?.rssBytes ?? Number.NaN,
      })),
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

export async function runReplicasBench(options: { etcdEndpoint: string; log: (message: string) => void }): Promise<ReplicasResult> {
  const instances = REPLICA_BENCH_INSTANCES;
  const postgres = await startPostgres();
  const targets = forkChild('probing-targets.ts', { BENCH_TARGETS: String(instances) });
  try {
    const { ports } = await targets.next('targets-ready', 60_000);
    await register(options.etcdEndpoint, ports.map((port) => `127.0.0.1:${port}`));
    options.log(`replicas: ${ports.length} targets listening and registered in etcd`);
    const runs: ReplicaRun[] = [];
    for (const count of REPLICA_COUNTS) {
      options.log(`replicas: starting ${count} replica(s) on a fresh database`);
      // A fresh database per run: the runs share nothing but etcd and the targets.
      const databaseUrl = await postgres.createDatabase();
      runs.push(await measureReplicas(count, { etcdEndpoint: options.etcdEndpoint, databaseUrl, instances, viewerAddress: `127.0.0.1:${ports[0] ?? 9}`, log: options.log }));
    }
    return { instances: ports.length, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, runs };
  } finally {
    await targets.stop();
    await postgres.stop();
  }
}
