import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer } from '../tests/support/server';
import { childExecArgv, cpuProfileArgs } from './child-argv';
import { batchBody, CALLS_PER_BATCH, SENDERS } from './ingest-batches';
import { measureIngestStages, type IngestStages } from './ingest-stages';
import { parseProcStat } from './replicas';
import { summarize, type Summary } from './stats';

export { SENDERS } from './ingest-batches';
export const SECONDS = 8;
/**
 * Load before the measured seconds, by the same rule for both endpoints (steady state is what a
 * fleet's server runs in): steps of WARMUP_STEP_SECONDS until a step's CPU a batch is no longer
 * 10 % under the best before it, at most MAX_WARMUP_SECONDS.
 */
export const WARMUP_STEP_SECONDS = 2;
export const MAX_WARMUP_SECONDS = 16;
/** The measured SECONDS of each endpoint, in this many rounds taking turns. */
export const ROUNDS = 2;
/** Issue 19: the product's ingest at least this share of the bare endpoint's rate, in the same run. */
export const TARGET_RATE_RATIO = 0.6;
/** Batches run through the ingest stages in the bench's own process (where the CPU goes). */
export const STAGE_BATCHES = 10_000;

export interface IngestLoad {
  batchesPerSecond: number;
  callsPerSecond: number;
  latency: Summary;
  failures: number;
  /** The receiving process's CPU time (utime + stime) over the load, per accepted batch. */
  cpuMicrosPerBatch: number;
  /** Load it had before the measured rounds, until its CPU a batch settled. */
  warmupSeconds: number;
}

export interface IngestBenchResult {
  ours: IngestLoad;
  baseline: IngestLoad;
  stages: IngestStages;
}

function post(url: URL, agent: Agent, body: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` };
    const req = request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cpuMs = (pid: number): number => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), readFileSync(`/proc/${pid}/statm`, 'utf8')).cpuMs;

/** SENDERS keep-alive clients post back to back for `seconds`; the latencies of accepted batches and the failures. */
async function drive(url: URL, agent: Agent, token: string, seconds: number): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + seconds * 1_000;
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, sender) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const status = await post(url, agent, batchBody(sender), token).catch(() => 0);
        if (status === 202) latencies.push(performance.now() - started);
        else failures += 1;
      }
    }),
  );
  return { latencies, failures };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** One endpoint under load: where it listens, the token it is sent, the process that serves it. */
interface Target {
  url: URL;
  token: string;
  pid: number;
  agent: Agent;
  latencies: number[];
  failures: number;
  cpuMs: number;
  warmupSeconds: number;
}

const target = (endpoint: string, token: string, pid: number): Target => ({
  url: new URL(endpoint),
  token,
  pid,
  agent: new Agent({ keepAlive: true, maxSockets: SENDERS }),
  latencies: [],
  failures: 0,
  cpuMs: 0,
  warmupSeconds: 0,
});

/** Load on `on` until its CPU a batch settles (WARMUP_STEP_SECONDS). */
async function warmUp(on: Target): Promise<void> {
  let best = Number.POSITIVE_INFINITY;
  while (on.warmupSeconds < MAX_WARMUP_SECONDS) {
    const cpuBefore = cpuMs(on.pid);
    const { latencies } = await drive(on.url, on.agent, on.token, WARMUP_STEP_SECONDS);
    on.warmupSeconds += WARMUP_STEP_SECONDS;
    const perBatch = (cpuMs(on.pid) - cpuBefore) / Math.max(1, latencies.length);
    if (perBatch > best * 0.9) return;
    best = Math.min(best, perBatch);
  }
}

/** One measured round on `target`: its accepted batches' latencies, failures and CPU added to its totals. */
async function measure(on: Target, seconds: number): Promise<void> {
  const cpuBefore = cpuMs(on.pid);
  const { latencies, failures } = await drive(on.url, on.agent, on.token, seconds);
  on.cpuMs += cpuMs(on.pid) - cpuBefore;
  on.latencies = on.latencies.concat(latencies);
  on.failures += failures;
}

const loadOf = (on: Target): IngestLoad => ({
  batchesPerSecond: on.latencies.length / SECONDS,
  callsPerSecond: (on.latencies.length * CALLS_PER_BATCH) / SECONDS,
  latency: summarize(on.latencies),
  failures: on.failures,
  cpuMicrosPerBatch: (on.cpuMs * 1_000) / Math.max(1, on.latencies.length),
  warmupSeconds: on.warmupSeconds,
});

/**
 * The product's ingest (node:http → token → zod → DDSketch series) on the built server vs a bare
 * JSON endpoint, both up before either is loaded. Each gets load unmeasured until its CPU a batch
 * settles (`warmUp`): a fresh process spends its first seconds of load compiling its hot path (V8's
 * helper threads, slower to get to it on a busy machine) and, for the product, laying out the map's
 * new nodes once (a worker) — one-off CPU that weighed on a fresh server's 8 s by 1.5–2.5 s. Then ROUNDS rounds
 * alternate the two, SECONDS in all each, so a change in what else the machine runs meanwhile
 * falls on both: run one after the other, the same code measured 0.35× and 0.60× on one evening.
 */
export async function runIngestBench(etcdEndpoint: string, dataDir: string, log: (message: string) => void): Promise<IngestBenchResult> {
  const baseline = fork(path.join(import.meta.dirname, 'ingest-baseline.ts'), [], { execArgv: childExecArgv(), stdio: 'ignore' });
  const baselinePort = new Promise<number>((resolve) => baseline.once('message', (message: { port: number }) => resolve(message.port)));
  const server = await startServer({ etcdEndpoints: [etcdEndpoint], dataDir, nodeArgs: cpuProfileArgs() }).catch(async (error: unknown) => {
    await stopChild(baseline);
    throw error;
  });
  try {
    const port = await baselinePort;
    const bare = target(`http://127.0.0.1:${port}/api/v1/ingest/calls`, 'syd_baseline', baseline.pid ?? 0);
    const ours = target(`${server.url}/api/v1/ingest/calls`, await server.createToken({ name: 'bench-reporter', role: 'viewer' }), server.pid ?? 0);
    log(`ingest: warm-up until CPU a batch settles, then ${ROUNDS} rounds of ${SECONDS / ROUNDS} s alternating the bare JSON endpoint and the product's POST /api/v1/ingest/calls`);
    for (const on of [bare, ours]) await warmUp(on);
    for (let round = 0; round < ROUNDS; round += 1) for (const on of [bare, ours]) await measure(on, SECONDS / ROUNDS);
    for (const on of [bare, ours]) on.agent.destroy();
    log(`ingest: ${STAGE_BATCHES.toLocaleString('en-US')} batches through JSON.parse, zod and the store in this process`);
    return { ours: loadOf(ours), baseline: loadOf(bare), stages: measureIngestStages(STAGE_BATCHES) };
  } finally {
    await server.stop();
    await stopChild(baseline);
  }
}
