import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ChildMessageSchema, type ChildMessage, type ProbeMeasured, type ProbeMode } from './probing-messages';
import { childExecArgv } from './child-argv';

/**
 * Active probing at scale: 5,000 instances, each with its own loopback address, probed over HTTP
 * with the product's defaults (every 5 s, 2 s timeout, 256 in flight): by the product's prober,
 * by the prober plus the probe latency series it feeds in startRuntime, and, against the same
 * targets, by a naive loop that fetches every target at once on every tick. Targets and each
 * probing run live in processes of their own.
 */

export interface ProbingResult {
  instances: number;
  warmupMs: number;
  measureMs: number;
  prober: ProbeMeasured;
  /** The prober plus the per-instance probe latency series (`latency.recordProbe`), as startRuntime wires it. */
  wired: ProbeMeasured;
  naive: ProbeMeasured;
}

export const TARGET_CPU_SHARE = 0.25;
export const TARGET_LAG_P99_MS = 250;
export const meetsCpu = (run: ProbeMeasured): boolean => run.cpuMs / run.wallMs <= TARGET_CPU_SHARE;
export const meetsLag = (run: ProbeMeasured): boolean => run.lagP99Ms !== null && run.lagP99Ms <= TARGET_LAG_P99_MS;

const INSTANCES = 5_000;
// One interval for the first connections to open, then six intervals measured.
const WARMUP_MS = 5_000;
const MEASURE_MS = 30_000;
const START_TIMEOUT_MS = 60_000;

export interface Child {
  next<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>>;
  send(message: unknown): void;
  stop(): Promise<void>;
}

export function forkChild(entry: string, env: Record<string, string>): Child {
  const child: ChildProcess = fork(path.join(import.meta.dirname, entry), [], {
    execArgv: childExecArgv(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    next: (type, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${entry}: no '${type}' within ${timeoutMs} ms\n${output}`)), timeoutMs);
        const onExit = (code: number | null): void => done(new Error(`${entry} exited (${code}) while waiting for '${type}'\n${output}`));
        const onMessage = (raw: unknown): void => {
          const parsed = ChildMessageSchema.safeParse(raw);
          if (!parsed.success) return;
          if (parsed.data.type === 'failed') done(new Error(`${entry} failed: ${parsed.data.message}\n${output}`));
          else if (parsed.data.type === type) done(undefined, parsed.data as Extract<ChildMessage, { type: typeof type }>);
        };
        function done(error: Error | undefined, message?: Extract<ChildMessage, { type: typeof type }>): void {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (error || !message) reject(error ?? new Error('no message'));
          else resolve(message);
        }
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
    send(message) {
      if (child.connected) child.send(message as object);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

async function measureMode(mode: ProbeMode, addresses: string[]): Promise<ProbeMeasured> {
  const host = forkChild('probing-host.ts', {});
  try {
    const measured = host.next('measured', WARMUP_MS + MEASURE_MS + START_TIMEOUT_MS);
    host.send({ type: 'run', mode, addresses, warmupMs: WARMUP_MS, measureMs: MEASURE_MS });
    return await measured;
  } finally {
    await host.stop();
  }
}

export async function runProbing(options: { log: (message: string) => void }): Promise<ProbingResult> {
  const targets = forkChild('probing-targets.ts', { BENCH_TARGETS: String(INSTANCES) });
  try {
    const { ports } = await targets.next('targets-ready', START_TIMEOUT_MS);
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    options.log(`probing: ${addresses.length} targets listening; the product's prober (${(WARMUP_MS + MEASURE_MS) / 1_000} s)`);
    const prober = await measureMode('prober', addresses);
    options.log(`probing: the prober with probe latency series, as startRuntime wires it (${(WARMUP_MS + MEASURE_MS) / 1_000} s)`);
    const wired = await measureMode('wired', addresses);
    options.log(`probing: naive baseline, same targets (${(WARMUP_MS + MEASURE_MS) / 1_000} s)`);
    const naive = await measureMode('naive', addresses);
    return { instances: addresses.length, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, prober, wired, naive };
  } finally {
    await targets.stop();
  }
}
