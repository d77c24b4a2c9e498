import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { startServer } from '../tests/support/server';
import { childExecArgv, cpuProfileArgs } from './child-argv';
import { bareDecoders } from './otlp-decode';
import { captureFleet, type CapturedFleet, type FleetShape } from './otlp-payloads';
import { measureStages, WARM_ROUNDS, type StageCosts } from './otlp-stages';

export const OTLP_SHAPE: FleetShape = {
  instances: 5_000,
  services: Array.from({ length: 50 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`),
  // 0: first exports, 1: warm-up round, 2: paced, 3–4: back to back (see exportPhases).
  intervals: 5,
  requestsPerInterval: 50,
  // 2 spans/s per instance, 10,000 spans/s for the fleet: a sampled fleet's order of magnitude.
  spansPerInterval: 20,
};
/** Every instance exports once per interval (the SDK's default is 60 s; 10 s is the busy case). */
export const EXPORT_INTERVAL_S = 10;
const SENDERS = 8;
const CLOCK_TICKS_PER_S = 100;
/** Before a measured phase, wait (at most this long) until the receiver is idle: work left from the warm-up is not the phase's. */
const SETTLE_MAX_S = 10;
/** Idle: under this share of a core over a second (an idle server's timers, and a profiler's threads, use some). */
const SETTLE_SHARE = 0.1;
/** Seconds the settled receiver is watched with nothing arriving. */
const IDLE_S = 5;

export interface Phase {
  posts: number;
  failures: number;
  seconds: number;
  /** Back to back: CPU seconds of the receiving process / wall seconds. Paced: CPU seconds for one round / EXPORT_INTERVAL_S — the share of a core the fleet needs, also when the round took longer. */
  cpuShare: number;
}

export interface Endpoint {
  /** The warm-up round, unmeasured in the verdicts: a fresh process's first round that counts. */
  warmUp: Phase;
  /** One round at the fleet's rate: every instance's metrics export and trace batch, spread over EXPORT_INTERVAL_S as a fleet sends them. */
  paced: Phase;
  /** The receiver's CPU with nothing arriving, as a share of a core: the part of the paced share that is not the exports'. */
  idleShare: number;
  saturated: Phase;
}

export interface OtlpBenchResult {
  shape: FleetShape;
  withTraces: boolean;
  metricsBytes: number;
  traceBytes: number;
  pointsPerExport: number;
  spansPerExport: number;
  /** protobufjs decode in this process, one core, no HTTP: exports (metrics + traces) per second. */
  inProcessDecodePerSecond: number;
  /** Where the intake's CPU goes per export, measured in this process. */
  stages: StageCosts;
  baseline: Endpoint;
  ours: Endpoint & { rejectedPoints: number };
}

/** utime + stime in seconds of a /proc stat line (a process's, or one thread's). */
function statSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/** utime + stime of a process in seconds, from /proc (Linux). */
const cpuSeconds = (pid: number): number => statSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** CPU seconds per thread (`name tid`), so a phase's log says which threads worked: main, V8's compilers, workers. */
function threadSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      threads.set(`${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} ${tid === String(pid) ? '(main)' : tid}`, statSeconds(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** The threads that used CPU between two readings, busiest first. */
function threadDelta(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .map(([thread, seconds]) => [thread, seconds - (before.get(thread) ?? 0)] as const)
    .filter(([, seconds]) => seconds > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([thread, seconds]) => `${thread}: ${seconds.toFixed(2)} s`)
    .join(', ');
}

/** Waits until the receiver spends under SETTLE_SHARE of a core over a second (at most SETTLE_MAX_S), and returns the seconds waited. */
async function settle(pid: number): Promise<number> {
  const started = performance.now();
  for (let before = cpuSeconds(pid); (performance.now() - started) / 1_000 < SETTLE_MAX_S; ) {
    await sleep(1_000);
    const now = cpuSeconds(pid);
    if (now - before < SETTLE_SHARE) break;
    before = now;
  }
  return (performance.now() - started) / 1_000;
}

function post(url: URL, agent: Agent, body: Buffer, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-protobuf', 'content-length': body.length, authorization: `Bearer ${token}` };
    const req = request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Target {
  base: string;
  token: string;
  pid: number;
  log: (message: string) => void;
}

/**
 * A measured phase: the receiver is let settle first, and the log gives the CPU per thread and, for
 * slicing the CPU profiles of BENCH_CPU_PROFILE_DIR, the window on the monotonic clock V8's profiles use (µs).
 */
async function measured<Result>(target: Target, name: string, run: () => Promise<Result>): Promise<Result> {
  const waited = await settle(target.pid);
  const threadsBefore = threadSeconds(target.pid);
  const from = process.hrtime.bigint() / 1_000n;
  const result = await run();
  const to = process.hrtime.bigint() / 1_000n;
  target.log(`otlp: ${name} (after ${waited.toFixed(0)} s settling; profile window ${from}–${to} µs): ${threadDelta(threadsBefore, threadSeconds(target.pid))}`);
  return result;
}

interface Export {
  path: string;
  body: Buffer;
}

/** One interval's exports of every instance: metrics, then that instance's traces. */
function exportsOf(fleet: CapturedFleet, interval: number, withTraces: boolean): Export[] {
  const metrics = fleet.metrics[interval] ?? [];
  const traces = withTraces ? (fleet.traces[interval] ?? []) : [];
  return metrics.flatMap((body, instance) => [{ path: '/v1/metrics', body }, ...(traces[instance] ? [{ path: '/v1/traces', body: traces[instance] }] : [])]);
}

/** Failed posts by what failed them (a status, or the request's error), logged when there are any. */
function failureLog() {
  const reasons = new Map<string, number>();
  return {
    add: (reason: string): void => void reasons.set(reason, (reasons.get(reason) ?? 0) + 1),
    /** Logs the reasons and returns how many posts failed. */
    report(log: (message: string) => void): number {
      if (reasons.size > 0) log(`otlp: failed posts: ${[...reasons].map(([reason, count]) => `${count} × ${reason}`).join(', ')}`);
      return sum([...reasons.values()]);
    },
  };
}

/** Every instance's export of `interval` spread evenly over EXPORT_INTERVAL_S, as a fleet's timers would. */
async function paced(target: Target, exports: Export[]): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const gapMs = (EXPORT_INTERVAL_S * 1_000) / exports.length;
  const failed = failureLog();
  const cpuBefore = cpuSeconds(target.pid);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let sent = 0; sent < exports.length; ) {
    const due = Math.min(exports.length, Math.floor((performance.now() - started) / gapMs) + 1);
    for (; sent < due; sent += 1) {
      const item = exports[sent];
      if (!item) continue;
      inFlight.push(
        post(new URL(item.path, target.base), agent, item.body, target.token).then(
          (status) => void (status === 200 || failed.add(`HTTP ${status}`)),
          (error: unknown) => failed.add(error instanceof Error ? error.message : String(error)),
        ),
      );
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1_000;
  const cpuShare = (cpuSeconds(target.pid) - cpuBefore) / EXPORT_INTERVAL_S;
  agent.destroy();
  return { posts: exports.length, failures: failed.report(target.log), seconds, cpuShare };
}

const pacedRound = (target: Target, exports: Export[], name: string): Promise<Phase> => measured(target, name, () => paced(target, exports));

/** The receiver's share of a core over IDLE_S with no exports, once settled. */
async function idleShare(target: Target): Promise<number> {
  return measured(target, 'idle', async () => {
    const before = cpuSeconds(target.pid);
    await sleep(IDLE_S * 1_000);
    return (cpuSeconds(target.pid) - before) / IDLE_S;
  });
}

/**
 * The exports before the measured round, the same for both endpoints (why: see exportPhases): the
 * first ones back to back, then the warm-up round paced like the measured one, its CPU kept to show
 * what a fresh process's first round costs.
 */
async function warmUp(target: Target, phases: { first: Export[]; warmUp: Export[] }): Promise<Phase> {
  await saturated(target, phases.first);
  return pacedRound(target, phases.warmUp, 'warm-up round (unmeasured)');
}

/** SENDERS keep-alive clients post the exports back to back, in order. */
async function saturated(target: Target, exports: Export[]): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  const failed = failureLog();
  let next = 0;
  const cpuBefore = cpuSeconds(target.pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      for (let item = exports[next++]; item; item = exports[next++]) {
        const status = await post(new URL(item.path, target.base), agent, item.body, target.token).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
        if (status !== 200) failed.add(typeof status === 'number' ? `HTTP ${status}` : status);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  const cpuShare = (cpuSeconds(target.pid) - cpuBefore) / seconds;
  agent.destroy();
  return { posts: exports.length, failures: failed.report(target.log), seconds, cpuShare };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Decodes every export once in this process and returns exports per second. */
function inProcessDecodeRate(exports: Export[]): number {
  const decode = bareDecoders();
  const started = performance.now();
  for (const item of exports) (item.path === '/v1/traces' ? decode.traces : decode.metrics)(item.body);
  return exports.length / ((performance.now() - started) / 1_000);
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * The product's OTLP intake on the built server against a bare protobuf-decoding endpoint, both
 * fed the same SDK-serialised exports of 5,000 instances: at the fleet's real rate (CPU share)
 * and back to back (throughput).
 */
export async function runOtlpBench(options: { etcdEndpoint: string; dataDir: string; log: (message: string) => void }): Promise<OtlpBenchResult> {
  const { log } = options;
  const shape = OTLP_SHAPE;
  log(`otlp: serialising ${shape.instances} instances × ${shape.intervals} exports with the SDK's protobuf serialisers`);
  const fleet = await captureFleet(shape, log);
  const decode = bareDecoders();
  const firstMetrics = fleet.metrics[0]?.[0];
  const firstTraces = fleet.traces[0]?.[0];

  const etcd = new Etcd3({ hosts: options.etcdEndpoint });
  try {
    // The services are registered (one instance each), so callees and reporters resolve to them.
    await Promise.all(shape.services.map((service, i) => etcd.put(`/services/${service}/${service}-1`).value(JSON.stringify({ address: `127.0.0.1:${20_000 + i}` }))));
  } finally {
    etcd.close();
  }
  const server = await startServer({ etcdEndpoints: [options.etcdEndpoint], dataDir: options.dataDir, nodeArgs: cpuProfileArgs() });
  let withTraces = false;
  let phases: ReturnType<typeof exportPhases>;
  let ours: OtlpBenchResult['ours'];
  try {
    if (server.pid === undefined) throw new Error('otlp: the server has no pid');
    for (let ready = false; !ready; await sleep(200)) ready = (await (await server.fetch('/api/v1/services')).text()).includes(shape.services.at(-1) ?? '');
    const target = { base: server.url, token: await server.createToken({ name: 'bench-otlp', role: 'viewer' }), pid: server.pid, log };
    // Traces join the load once the intake serves them (an empty export is a valid one).
    withTraces = (await post(new URL('/v1/traces', server.url), new Agent(), Buffer.alloc(0), target.token)) === 200;
    phases = exportPhases(fleet, shape.intervals, withTraces);
    log(`otlp: the product's POST /v1/metrics${withTraces ? ' and /v1/traces' : ''}: first exports and a warm-up round, unmeasured`);
    const warmUpRound = await warmUp(target, phases);
    log(`otlp: paced at ${shape.instances} instances every ${EXPORT_INTERVAL_S} s`);
    const pacedPhase = await pacedRound(target, phases.paced, 'paced');
    const idle = await idleShare(target);
    log('otlp: back to back');
    const saturatedPhase = await measured(target, 'back to back', () => saturated(target, phases.saturated));
    const exposition = await (await server.fetch('/metrics')).text();
    log(`otlp: span pairing over the run: ${[...exposition.matchAll(/^switchyard_otlp_span_pairing\{outcome="(\w+)"\} (\d+)/gm)].map((match) => `${match[1]} ${match[2]}`).join(', ')}`);
    const rejectedPoints = sum([...exposition.matchAll(/^switchyard_otlp_points_total\{outcome="(rejected|external_cap)"\} (\d+)/gm)].map((match) => Number(match[2])));
    ours = { warmUp: warmUpRound, paced: pacedPhase, idleShare: idle, saturated: saturatedPhase, rejectedPoints };
  } finally {
    await server.stop();
  }

  const baselineChild = fork(path.join(import.meta.dirname, 'otlp-baseline.ts'), [], { execArgv: childExecArgv(), stdio: 'ignore' });
  let baseline: OtlpBenchResult['baseline'];
  try {
    const started = await new Promise<{ port: number; pid: number }>((resolve) => baselineChild.once('message', (message: { port: number; pid: number }) => resolve(message)));
    const target = { base: `http://127.0.0.1:${started.port}`, token: 'syd_baseline', pid: started.pid, log };
    log('otlp: baseline (bare protobuf decode endpoint): first exports and a warm-up round, unmeasured');
    baseline = {
      warmUp: await warmUp(target, phases),
      paced: await pacedRound(target, phases.paced, 'baseline paced'),
      idleShare: await idleShare(target),
      saturated: await measured(target, 'baseline back to back', () => saturated(target, phases.saturated)),
    };
  } finally {
    await stopChild(baselineChild);
  }

  return {
    shape: { ...shape, spansPerInterval: withTraces ? shape.spansPerInterval : 0 },
    withTraces,
    metricsBytes: firstMetrics?.length ?? 0,
    traceBytes: withTraces ? (firstTraces?.length ?? 0) : 0,
    pointsPerExport: firstMetrics ? countPoints(decode.metrics(firstMetrics)) : 0,
    spansPerExport: withTraces && firstTraces ? countSpans(decode.traces(firstTraces)) : 0,
    inProcessDecodePerSecond: inProcessDecodeRate(phases.saturated),
    stages: measureStages({ metrics: fleet.metrics.slice(0, WARM_ROUNDS + 2), traces: withTraces ? fleet.traces.slice(0, WARM_ROUNDS + 2) : [] }, shape.services),
    baseline,
    ours,
  };
}

/**
 * 0: the first export of every stream (counts nothing, as on any first sight, though spans count:
 * the call edges first appear here) and the modules loaded on first use; 1: a warm-up round, left out
 * of the verdicts — where the metrics' calls first count, the intake's and series store's structures
 * are first filled and V8 compiles the hot path, one-off work a running server has long done; 2: paced
 * at the real rate; the rest back to back. Both endpoints get the same.
 */
function exportPhases(fleet: CapturedFleet, intervals: number, withTraces: boolean) {
  const [first = [], warmUp = [], paced = [], ...rest] = Array.from({ length: intervals }, (_, interval) => exportsOf(fleet, interval, withTraces));
  return { first, warmUp, paced, saturated: rest.flat() };
}

interface Decoded {
  resourceMetrics?: { scopeMetrics?: { metrics?: { histogram?: { dataPoints?: unknown[] } }[] }[] }[];
  resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[];
}

function countPoints(decoded: unknown): number {
  const { resourceMetrics = [] } = decoded as Decoded;
  return sum(resourceMetrics.flatMap((r) => (r.scopeMetrics ?? []).flatMap((s) => (s.metrics ?? []).map((m) => m.histogram?.dataPoints?.length ?? 0))));
}

function countSpans(decoded: unknown): number {
  const { resourceSpans = [] } = decoded as Decoded;
  return sum(resourceSpans.flatMap((r) => (r.scopeSpans ?? []).map((s) => s.spans?.length ?? 0)));
}
