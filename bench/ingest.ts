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
/** Load before the measured seconds, the same for both endpoints: steady state is what a fleet's server runs in. */
export const WARMUP_SECONDS = 4;
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

/**
 * The load on the process `pid`, each request with the API token (the baseline ignores it): first
 * WARMUP_SECONDS unmeasured, then SECONDS measured. A fresh process spends its first seconds of load
 * compiling its hot path (V8's helper threads) and, for the product, laying out the map's new nodes
 * once (a worker): one-off CPU that the bare endpoint, a few lines of code, hardly has, and that
 * weighed on 8 s of a fresh server by twice as much when the machine was busy as when it was quiet.
 */
async function load(endpoint: string, token: string, pid: number): Promise<IngestLoad> {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  await drive(url, agent, token, WARMUP_SECONDS);
  const cpuBefore = cpuMs(pid);
  const { latencies, failures } = await drive(url, agent, token, SECONDS);
  const cpuMicrosPerBatch = ((cpuMs(pid) - cpuBefore) * 1_000) / Math.max(1, latencies.length);
  agent.destroy();
  return { batchesPerSecond: latencies.length / SECONDS, callsPerSecond: (latencies.length * CALLS_PER_BATCH) / SECONDS, latency: summarize(latencies), failures, cpuMicrosPerBatch };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** The product's ingest (Next route → zod → DDSketch series) on the built server vs a bare JSON endpoint. */
export async function runIngestBench(etcdEndpoint: string, dataDir: string, log: (message: string) => void): Promise<IngestBenchResult> {
  const baseline = fork(path.join(import.meta.dirname, 'ingest-baseline.ts'), [], { execArgv: childExecArgv(), stdio: 'ignore' });
  const port = await new Promise<number>((resolve) => baseline.once('message', (message: { port: number }) => resolve(message.port)));
  log(`ingest: baseline (bare JSON endpoint), ${WARMUP_SECONDS} s warm-up then ${SECONDS} s`);
  const baselineLoad = await load(`http://127.0.0.1:${port}/api/v1/ingest/calls`, 'syd_baseline', baseline.pid ?? 0);
  await stopChild(baseline);

  const server = await startServer({ etcdEndpoints: [etcdEndpoint], dataDir, nodeArgs: cpuProfileArgs() });
  try {
    log(`ingest: the product's POST /api/v1/ingest/calls, ${WARMUP_SECONDS} s warm-up then ${SECONDS} s`);
    const ours = await load(`${server.url}/api/v1/ingest/calls`, await server.createToken({ name: 'bench-reporter', role: 'viewer' }), server.pid ?? 0);
    log(`ingest: ${STAGE_BATCHES.toLocaleString('en-US')} batches through JSON.parse, zod and the store in this process`);
    return { ours, baseline: baselineLoad, stages: measureIngestStages(STAGE_BATCHES) };
  } finally {
    await server.stop();
  }
}
