import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Etcd3 } from 'etcd3';
import { childExecArgv } from './child-argv';
import { ViewersToParentSchema, type ParentToViewers, type ViewersCollected, type ViewersConnected, type ViewersToParent } from './scale-messages';
import { parseProcStat } from './replicas';
import type { GoPutter, Puts } from './scale-putter';
import { epochNow } from './scale-viewer';
import { summarize, type Summary } from './stats';

/**
 * Fan-out (issue 19 part 4): viewers spread over several client processes, all opening their
 * sockets at the same epoch millisecond (an incident: everyone opens the console), then puts at a
 * steady rate from this process while every viewer shows a service page. Each viewer process also
 * runs a raw etcd watcher, the baseline on the same clock and under the same load as its viewers.
 */

export interface FanoutPlan {
  viewers: number;
  processes: number;
  putsPerSecond: number;
  seconds: number;
  /** The services the puts go to, round-robin; viewer i shows services[i % length]. */
  services: string[];
  prefix: string;
  firstViewTimeoutMs: number;
  /** The TCP port the new instances' addresses name (bench/scale-acceptor.ts). */
  port: number;
}

export interface FanoutResult extends Omit<FanoutPlan, 'prefix' | 'firstViewTimeoutMs' | 'services' | 'port'> {
  hotServices: number;
  /** Delivered plus decoded alone, per viewer (the verdict's figure). */
  firstView: Summary | null;
  /** connectAt → every byte of the first view received. */
  delivered: Summary | null;
  /** Decoding one first view alone with the product's receiver. */
  decode: Summary | null;
  /** Services in the decoded first views: smallest and largest (equal when all got the whole fleet). */
  servicesSeen: [number, number];
  firstViewMissing: number;
  notUpgraded: number;
  /** Largest engine.io message a viewer received (the snapshot, today). */
  largestMessage: number;
  bytesPerViewer: number;
  puts: number;
  putErrors: number;
  /** Put issued → acknowledged, as this process saw it (context). */
  ack: Summary | null;
  raw: Summary | null;
  ours: Summary | null;
  rawMissing: number;
  oursMissing: number;
  /** Of the missing (put, viewer) pairs, those of viewers that never had a first view. */
  oursMissingWithoutFirstView: number;
  /** Viewers whose socket failed or dropped, per reason: once all first views were in (or timed out), and at the end. */
  problemsAtConnect: [string, number][];
  problemsAtEnd: [string, number][];
  generatorLoopDelayMaxMs: number;
  /**
   * CPU while the puts lasted, as shares of one core (1 = a whole core): whether the machine had
   * a CPU for each process, since all of them share its cores. Undefined where /proc was unreadable.
   */
  cpuDuringPuts: { server?: number; viewers?: number; etcd?: number; generator: number; cores: number };
  /** What put the instances: the Go program, or this process when Go was not there. */
  generator: string;
  viewerLoopDelayMaxMs: number;
  /** The server's event loop during the puts, from its own /metrics (prom-client's histogram, reset at each scrape); undefined when unread. */
  serverLoopDelay?: { p99Ms: number; maxMs: number };
}

const LOOP_LAG_LINES = { p99: /^switchyard_process_nodejs_eventloop_lag_p99_seconds ([\d.e+-]+)$/m, max: /^switchyard_process_nodejs_eventloop_lag_max_seconds ([\d.e+-]+)$/m };

/** The server's event-loop delay since the last scrape (ms), which this scrape resets. */
async function serverLoopDelay(url: string, token: string): Promise<{ p99Ms: number; maxMs: number } | undefined> {
  try {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    const p99 = Number(LOOP_LAG_LINES.p99.exec(text)?.[1]);
    const max = Number(LOOP_LAG_LINES.max.exec(text)?.[1]);
    return Number.isFinite(p99) && Number.isFinite(max) ? { p99Ms: p99 * 1_000, maxMs: max * 1_000 } : undefined;
  } catch {
    return undefined;
  }
}

const ENTRY = path.join(import.meta.dirname, 'scale-viewers-process.ts');
const GRACE_MS = 10_000;

interface ViewersProcess {
  pid: number | undefined;
  send(message: ParentToViewers): void;
  next<T extends ViewersToParent['type']>(type: T, timeoutMs: number): Promise<Extract<ViewersToParent, { type: T }>>;
  stop(): Promise<void>;
}

function startViewersProcess(): ViewersProcess {
  const child: ChildProcess = fork(ENTRY, [], { execArgv: [...childExecArgv()], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const inbox: ViewersToParent[] = [];
  const waiters = new Set<() => void>();
  child.on('message', (raw) => {
    const parsed = ViewersToParentSchema.safeParse(raw);
    if (!parsed.success) return;
    inbox.push(parsed.data);
    for (const waiter of [...waiters]) waiter();
  });
  return {
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message);
    },
    next(type, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const failed = inbox.find((message) => message.type === 'failed');
          const index = inbox.findIndex((message) => message.type === type);
          if (failed?.type === 'failed') finish(() => reject(new Error(`viewers process failed: ${failed.message}\n${output}`)));
          else if (index >= 0) {
            const [message] = inbox.splice(index, 1);
            finish(() => resolve(message as Extract<ViewersToParent, { type: typeof type }>));
          }
        };
        const onExit = (): void => finish(() => reject(new Error(`viewers process exited while waiting for '${type}'\n${output}`)));
        const timer = setTimeout(() => finish(() => reject(new Error(`viewers process: no '${type}' within ${timeoutMs} ms\n${output}`))), timeoutMs);
        const finish = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
          settle();
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' } satisfies ParentToViewers);
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** A new instance as services register them: address, version, zone, a little metadata. */
const instanceValue = (n: number, port: number): string =>
  JSON.stringify({ address: `127.200.${(n >> 8) & 255}.${n & 255}:${port}`, version: '2.4.1', zone: 'eu-west-1b', metadata: { team: 'bench', commit: `c${(n * 2_654_435_761) % 1_000_000}` } });

/**
 * Puts on a timer at the planned rate, never awaiting one before the next. Each is timed from when it
 * was handed to the etcd client (epoch ms): on a saturated machine this process reads an ack late,
 * and the issue time is what the two paths share exactly. Only acknowledged puts are counted.
 */
async function putAtRate(client: Etcd3, plan: FanoutPlan): Promise<Puts> {
  const cpuBefore = process.cpuUsage();
  const total = plan.putsPerSecond * plan.seconds;
  const acked: [string, string, number][] = [];
  const ackMs: number[] = [];
  const pending: Promise<unknown>[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed * plan.putsPerSecond) / 1_000) + 1);
      while (issued < due) {
        const n = issued;
        issued += 1;
        const service = plan.services[n % plan.services.length] ?? '';
        const key = `${plan.prefix}${service}/scale-put-${n}`;
        const issuedAt = epochNow();
        pending.push(
          client
            .put(key)
            .value(instanceValue(n, plan.port))
            .then(
              () => {
                acked.push([key, service, issuedAt]);
                ackMs.push(epochNow() - issuedAt);
              },
              () => (errors += 1),
            ),
        );
      }
      if (issued >= total) return resolve();
      setTimeout(tick, Math.max(0, (issued * 1_000) / plan.putsPerSecond - elapsed));
    };
    tick();
  });
  await Promise.allSettled(pending);
  const cpu = process.cpuUsage(cpuBefore);
  return { acked, errors, ackMs, cpuMs: (cpu.user + cpu.system) / 1_000 };
}

function mergeTallies(tallies: [string, number][][]): [string, number][] {
  const merged = new Map<string, number>();
  for (const [reason, count] of tallies.flat()) merged.set(reason, (merged.get(reason) ?? 0) + count);
  return [...merged];
}

/** "server 85 %, viewers 120 %, …" of one core each, and their sum against the machine's cores. */
export function cpuLine(cpu: FanoutResult['cpuDuringPuts']): string {
  const percent = (share: number | undefined): string => (share === undefined ? '—' : `${Math.round(share * 100)} %`);
  const parts: [string, number | undefined][] = [['server', cpu.server], ["viewers' processes", cpu.viewers], ['etcd', cpu.etcd], ['load generator', cpu.generator]];
  const known = parts.every(([, share]) => share !== undefined);
  const total = parts.reduce((sum, [, share]) => sum + (share ?? 0), 0);
  return `${parts.map(([name, share]) => `${name} ${percent(share)}`).join(', ')} of a core${known ? `: ${percent(total)} of the machine's ${cpu.cores * 100} %` : ''}`;
}

/** User + system CPU ms of a process from /proc; undefined once it is gone (or off Linux). */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), readFileSync(`/proc/${pid}/statm`, 'utf8')).cpuMs;
  } catch {
    return undefined;
  }
}

/** CPU ms of a group of processes, or undefined if any is unreadable. */
const cpuMsOfAll = (pids: (number | undefined)[]): number | undefined =>
  pids.reduce<number | undefined>((total, pid) => {
    const ms = cpuMsOf(pid);
    return total === undefined || ms === undefined ? undefined : total + ms;
  }, 0);

export async function runFanout(options: {
  plan: FanoutPlan;
  url: string;
  token: string;
  etcdEndpoint: string;
  putter: Etcd3;
  log: (message: string) => void;
  afterConnect: () => Promise<void>;
  /** The server's and etcd's processes, for their CPU while the puts last. */
  pids: { server: number | undefined; etcd: number | undefined };
  /** The puts from Go when it could be built; else from `putter` in this process. */
  goPutter: GoPutter | undefined;
}): Promise<FanoutResult> {
  const { plan } = options;
  const processes = Array.from({ length: plan.processes }, () => startViewersProcess());
  try {
    const shares = processes.map((_, p) => Array.from({ length: plan.viewers }, (_, i) => i).filter((i) => i % plan.processes === p).map((i) => plan.services[i % plan.services.length] ?? ''));
    processes.forEach((viewers, p) =>
      viewers.send({ type: 'start', url: options.url, token: options.token, etcdEndpoint: options.etcdEndpoint, prefix: plan.prefix, services: shares[p] ?? [], firstViewTimeoutMs: plan.firstViewTimeoutMs }),
    );
    await Promise.all(processes.map((viewers) => viewers.next('ready', 60_000)));
    // IPC takes well under a millisecond; the margin is for a process waiting for a CPU.
    const connectAt = epochNow() + 500;
    for (const viewers of processes) viewers.send({ type: 'connect', connectAt });
    options.log(`  ${plan.viewers} viewers in ${plan.processes} processes connect at once`);
    const connected: ViewersConnected[] = await Promise.all(processes.map((viewers) => viewers.next('connected', plan.firstViewTimeoutMs + 60_000)));
    const firstViewMs = connected.flatMap((c) => c.firstViewMs);
    const firstViewMissing = connected.reduce((total, c) => total + c.firstViewMissing, 0);
    const deliveredMs = connected.flatMap((c) => c.deliveredMs);
    const decodeMs = connected.flatMap((c) => c.decodeMs);
    const servicesSeen = connected.flatMap((c) => c.servicesSeen);
    options.log(`  first views: ${firstViewMs.length} of ${plan.viewers}, slowest ${Math.max(0, ...firstViewMs).toFixed(0)} ms (delivered by ${Math.max(0, ...deliveredMs).toFixed(0)} ms, decoding one ${Math.min(...decodeMs).toFixed(0)}–${Math.max(...decodeMs).toFixed(0)} ms)`);
    await options.afterConnect();

    options.log(`  ${plan.putsPerSecond} puts/s for ${plan.seconds} s into ${plan.services.length} services`);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    // Read once to reset the server's histogram: the next reading is the puts' alone.
    await serverLoopDelay(options.url, options.token);
    const viewerPids = processes.map((viewers) => viewers.pid);
    const cpuBefore = { server: cpuMsOf(options.pids.server), viewers: cpuMsOfAll(viewerPids), etcd: cpuMsOf(options.pids.etcd), at: performance.now() };
    const { acked, errors, ackMs, cpuMs: generatorCpuMs } = options.goPutter ? await options.goPutter.run(options.etcdEndpoint, plan) : await putAtRate(options.putter, plan);
    const wallMs = performance.now() - cpuBefore.at;
    const serverLoop = await serverLoopDelay(options.url, options.token);
    const share = (before: number | undefined, after: number | undefined): number | undefined => (before === undefined || after === undefined ? undefined : (after - before) / wallMs);
    const cpuDuringPuts = {
      server: share(cpuBefore.server, cpuMsOf(options.pids.server)),
      viewers: share(cpuBefore.viewers, cpuMsOfAll(viewerPids)),
      etcd: share(cpuBefore.etcd, cpuMsOf(options.pids.etcd)),
      generator: generatorCpuMs / wallMs,
      cores: os.availableParallelism(),
    };
    loopDelay.disable();
    processes.forEach((viewers) => viewers.send({ type: 'collect', acked, graceMs: GRACE_MS }));
    const collected: ViewersCollected[] = await Promise.all(processes.map((viewers) => viewers.next('collected', GRACE_MS + 60_000)));
    const raw = collected.flatMap((c) => c.raw);
    const ours = collected.flatMap((c) => c.ours);
    return {
      viewers: plan.viewers,
      processes: plan.processes,
      putsPerSecond: plan.putsPerSecond,
      seconds: plan.seconds,
      hotServices: plan.services.length,
      firstView: firstViewMs.length > 0 ? summarize(firstViewMs) : null,
      delivered: deliveredMs.length > 0 ? summarize(deliveredMs) : null,
      decode: decodeMs.length > 0 ? summarize(decodeMs) : null,
      servicesSeen: [Math.min(...servicesSeen), Math.max(...servicesSeen)],
      firstViewMissing,
      notUpgraded: connected.reduce((total, c) => total + c.notUpgraded, 0),
      largestMessage: Math.max(0, ...connected.map((c) => c.largestMessage), ...collected.map((c) => c.largestMessage)),
      bytesPerViewer: connected.reduce((total, c) => total + c.bytesPerViewer, 0) / Math.max(1, connected.length),
      puts: plan.putsPerSecond * plan.seconds,
      putErrors: errors,
      ack: ackMs.length > 0 ? summarize(ackMs) : null,
      raw: raw.length > 0 ? summarize(raw) : null,
      ours: ours.length > 0 ? summarize(ours) : null,
      rawMissing: Math.max(0, ...collected.map((c) => c.rawMissing)),
      oursMissing: collected.reduce((total, c) => total + c.oursMissing, 0),
      oursMissingWithoutFirstView: collected.reduce((total, c) => total + c.oursMissingWithoutFirstView, 0),
      problemsAtConnect: mergeTallies(connected.map((c) => c.problems)),
      problemsAtEnd: mergeTallies(collected.map((c) => c.problems)),
      generatorLoopDelayMaxMs: Number.isFinite(loopDelay.max) ? loopDelay.max / 1e6 : 0,
      viewerLoopDelayMaxMs: Math.max(0, ...collected.map((c) => c.loopDelayMaxMs)),
      cpuDuringPuts,
      ...(serverLoop ? { serverLoopDelay: serverLoop } : {}),
      generator: options.goPutter ? 'Go, etcd clientv3 (bench/go/putter.go)' : 'this process, etcd3 (Node)',
    };
  } finally {
    await Promise.all(processes.map((viewers) => viewers.stop()));
  }
}
