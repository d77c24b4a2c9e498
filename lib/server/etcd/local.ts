import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A local etcd this process started: on loopback, free ports, its own data dir. */
export interface LocalEtcd {
  endpoint: string;
  dataDir: string;
  pid: number | undefined;
  /** SIGTERM (or SIGKILL with `hard`), then wait for exit. */
  stop(hard?: boolean): Promise<void>;
  /** Start again on the same ports and data dir (for outage tests). */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function findEtcdBinary(): string {
  const override = process.env.ETCD_BIN;
  if (override) return override;
  for (const candidate of ['/usr/bin/etcd', '/usr/local/bin/etcd']) if (existsSync(candidate)) return candidate;
  return 'etcd';
}

async function waitHealthy(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode} before becoming healthy`);
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) });
      const body = (await response.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd at ${endpoint} not healthy within ${timeoutMs} ms`);
}

/** Starts etcd on free loopback ports with its data under `dataDir`; logs go to `dataDir/etcd.log`. */
export async function startLocalEtcd(dataDir: string, options: { timeoutMs?: number } = {}): Promise<LocalEtcd> {
  mkdirSync(dataDir, { recursive: true });
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'switchyard-local',
    '--data-dir', path.join(dataDir, 'member-data'),
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `switchyard-local=${peer}`,
    '--logger', 'zap',
    '--log-outputs', path.join(dataDir, 'etcd.log'),
  ];
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const log = createWriteStream(path.join(dataDir, 'etcd.stderr.log'), { flags: 'a' });
    child = spawn(findEtcdBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.pipe(log);
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.once('spawn', resolve);
      started.once('error', (error) =>
        reject(new Error(`cannot start etcd (${error.message}); install Debian's etcd-server or set ETCD_BIN`)),
      );
    });
    await waitHealthy(endpoint, started, options.timeoutMs ?? 15_000);
  };
  const stop = async (hard = false): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(hard ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await launch();
  return {
    endpoint,
    dataDir,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: launch,
  };
}
