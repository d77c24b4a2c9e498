import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { z } from 'zod';
import { childExecArgv } from './child-argv';

/**
 * The runtime under test runs in its own process (bench/runtime-host.ts) so its RSS is the
 * server's alone and its event loop is not shared with the load generator. Parent and host talk
 * over the fork IPC channel with the messages below.
 */
export const ParentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('measure-snapshot'), repeats: z.number().int().positive() }),
  /** Per-delta emit times and event-loop delay since the last ask (then both start afresh). */
  z.object({ type: z.literal('phase-stats') }),
  z.object({ type: z.literal('stop') }),
]);
export type ParentMessage = z.infer<typeof ParentMessageSchema>;

export const ReadySchema = z.object({
  type: z.literal('ready'),
  port: z.number().int(),
  coalesceMs: z.number(),
  /** startRuntime() → registry.synced(): history, auth, then list + decode + store + watch created. */
  syncMs: z.number(),
  instances: z.number().int(),
  rssAfterSync: z.number(),
  /** A viewer API token: Socket.IO clients authenticate like any other. */
  token: z.string(),
});
export type Ready = z.infer<typeof ReadySchema>;

export const SnapshotMeasuredSchema = z.object({
  type: z.literal('snapshot-measured'),
  buildMs: z.array(z.number()),
  stringifyMs: z.array(z.number()),
  bytes: z.number().int(),
  services: z.number().int(),
  instances: z.number().int(),
  rss: z.number(),
  peakRss: z.number(),
  heapUsed: z.number(),
});
export type SnapshotMeasured = z.infer<typeof SnapshotMeasuredSchema>;

/**
 * When each delta left the server: epoch ms (performance.timeOrigin + now), comparable
 * across processes; and how late the server's event loop ran (a stall there is machine noise or GC).
 */
export const PhaseStatsSchema = z.object({
  type: z.literal('phase-stats'),
  seqs: z.array(z.number().int()),
  emittedAt: z.array(z.number()),
  loopDelayP99Ms: z.number(),
  loopDelayMaxMs: z.number(),
  /** CPU time (user + system) the server process used since the last ask, and the wall time it spans. */
  cpuMs: z.number(),
  wallMs: z.number(),
});
export type PhaseStats = z.infer<typeof PhaseStatsSchema>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  ReadySchema,
  SnapshotMeasuredSchema,
  PhaseStatsSchema,
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type HostMessage = z.infer<typeof HostMessageSchema>;

export interface HostOptions {
  etcdEndpoint: string;
  dataDir: string;
  /** Unset = the product's default (SWITCHYARD_COALESCE_MS is not passed at all). */
  coalesceMs?: number;
}

export interface Host {
  ready: Ready;
  url: string;
  pid: number | undefined;
  measureSnapshot(repeats: number): Promise<SnapshotMeasured>;
  /** Since the previous call: seq → epoch ms at which the server emitted that delta, and loop delay. */
  phaseStats(): Promise<{ emittedAt: Map<number, number>; loopDelayP99Ms: number; loopDelayMaxMs: number; cpuShare: number }>;
  stop(): Promise<void>;
}

const HOST_ENTRY = path.join(import.meta.dirname, 'runtime-host.ts');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;

export async function startHost(options: HostOptions): Promise<Host> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    BENCH_ETCD_ENDPOINT: options.etcdEndpoint,
    BENCH_DATA_DIR: options.dataDir,
  };
  if (options.coalesceMs !== undefined) env.SWITCHYARD_COALESCE_MS = String(options.coalesceMs);
  const child: ChildProcess = fork(HOST_ENTRY, [], {
    execArgv: childExecArgv(),
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiters = new Set<(message: HostMessage) => void>();
  child.on('message', (raw) => {
    const parsed = HostMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    for (const waiter of [...waiters]) waiter(parsed.data);
  });

  const next = <T extends HostMessage['type']>(type: T, timeoutMs: number): Promise<Extract<HostMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`runtime host: no '${type}' within ${timeoutMs} ms\n${output}`));
      }, timeoutMs);
      const onExit = (code: number | null): void => {
        done();
        reject(new Error(`runtime host exited (${code}) while waiting for '${type}'\n${output}`));
      };
      const waiter = (message: HostMessage): void => {
        if (message.type === 'failed') {
          done();
          reject(new Error(`runtime host failed: ${message.message}\n${output}`));
        } else if (message.type === type) {
          done();
          resolve(message as Extract<HostMessage, { type: T }>);
        }
      };
      waiters.add(waiter);
      child.once('exit', onExit);
    });

  const send = (message: ParentMessage): void => {
    if (child.connected) child.send(message);
  };

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    send({ type: 'stop' });
    const forced = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(forced);
  };

  let ready: Ready;
  try {
    ready = await next('ready', START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ready,
    url: `http://127.0.0.1:${ready.port}`,
    pid: child.pid,
    async measureSnapshot(repeats) {
      const reply = next('snapshot-measured', 60_000);
      send({ type: 'measure-snapshot', repeats });
      return reply;
    },
    async phaseStats() {
      const reply = next('phase-stats', 10_000);
      send({ type: 'phase-stats' });
      const { seqs, emittedAt, loopDelayP99Ms, loopDelayMaxMs, cpuMs, wallMs } = await reply;
      return {
        emittedAt: new Map(seqs.map((seq, i) => [seq, emittedAt[i] ?? Number.NaN])),
        loopDelayP99Ms,
        loopDelayMaxMs,
        cpuShare: wallMs > 0 ? cpuMs / wallMs : 0,
      };
    },
    stop,
  };
}
