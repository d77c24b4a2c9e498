import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { SETPRIV_CANNOT_EXECUTE, withParentDeathSignal } from '../parent-death';

/** Where a local etcd's client port came from (see `LocalEtcdOptions.stableClientPort`). */
export type ClientPortFrom = 'remembered' | 'preferred' | 'free';

/** etcd's own default client port, where etcdctl looks without --endpoints. */
export const ETCD_DEFAULT_CLIENT_PORT = 2379;

/** A local etcd this process started: on loopback, its own data dir. */
export interface LocalEtcd {
  endpoint: string;
  dataDir: string;
  clientPortFrom: ClientPortFrom;
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

/** Whether `port` on loopback can be listened on now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The file in a local etcd's data dir that keeps its client port from one start to the next. */
const CLIENT_PORT_FILE = 'client-port';

function rememberedClientPort(dataDir: string): number | undefined {
  try {
    const port = Number(readFileSync(path.join(dataDir, CLIENT_PORT_FILE), 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** The port remembered in `dataDir`, else `preferred`, each when free and not `tried` already; else a free one. */
async function stableClientPort(dataDir: string, preferred: number, tried: ReadonlySet<number>, free: () => Promise<number>): Promise<{ port: number; from: ClientPortFrom }> {
  const candidates: [number | undefined, ClientPortFrom][] = [[rememberedClientPort(dataDir), 'remembered'], [preferred, 'preferred']];
  for (const [port, from] of candidates) if (port !== undefined && !tried.has(port) && (await portIsFree(port))) return { port, from };
  return { port: await free(), from: 'free' };
}

/** How a start-up line says where a local etcd's client port came from. */
export function clientPortSaid(local: Pick<LocalEtcd, 'endpoint' | 'clientPortFrom'>): string {
  const port = Number(new URL(local.endpoint).port);
  if (local.clientPortFrom === 'remembered') return 'the port it had at its last start';
  if (local.clientPortFrom === 'preferred') return port === ETCD_DEFAULT_CLIENT_PORT ? "etcd's default port" : 'the preferred port';
  return `port ${ETCD_DEFAULT_CLIENT_PORT} was taken; this one is kept for the next start`;
}

export function findEtcdBinary(): string {
  const override = process.env.ETCD_BIN;
  if (override) return override;
  for (const candidate of ['/usr/bin/etcd', '/usr/local/bin/etcd']) if (existsSync(candidate)) return candidate;
  return 'etcd';
}

/** Serve clients over TLS (tests of secured etcd); the product's own local etcd never does. */
export interface LocalEtcdTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Require clients to present a certificate signed by `caFile`. */
  clientCertAuth?: boolean;
}

/** `GET /health` over http, or over https presenting the server's own certificate (valid for client use too). */
async function healthBody(endpoint: string, tls: LocalEtcdTls | undefined): Promise<unknown> {
  if (!tls) {
    const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(500) });
    return response.json();
  }
  const options = { ca: readFileSync(tls.caFile), cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), timeout: 500 };
  return new Promise((resolve, reject) => {
    const request = https.get(`${endpoint}/health`, options, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function waitHealthy(endpoint: string, child: ChildProcess, timeoutMs: number, tls: LocalEtcdTls | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode} before becoming healthy`);
    try {
      const body = (await healthBody(endpoint, tls)) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd at ${endpoint} not healthy within ${timeoutMs} ms`);
}

/** First starts tried: a port found free can be taken by another process before etcd binds it. */
const START_ATTEMPTS = 3;

/** Whether etcd's log, past `from` bytes (what an earlier run wrote), says a port it was given was taken. */
function portTaken(logFile: string, from: number): boolean {
  try {
    return readFileSync(logFile).subarray(from).includes('address already in use');
  } catch {
    return false;
  }
}

const sizeOf = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

export interface LocalEtcdOptions {
  timeoutMs?: number;
  tls?: LocalEtcdTls;
  /** Free ports for it, one call per port (tests hand out a taken one). */
  ports?: () => Promise<number>;
  /**
   * Run etcd in a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground
   * group) does not stop it under the server that is still using it: the owner stops it last, and
   * it is sent SIGTERM when the owner exits without stopping it, also when the owner is killed
   * outright (SIGKILL, the OOM killer): through util-linux's `setpriv --pdeathsig` where it exists
   * (Linux), else from the owner's `exit` handler, which covers every end but a kill. For the demo
   * and the embedded default; tests leave it in their group, where a killed run takes it along.
   */
  ownProcessGroup?: boolean;
  /**
   * Keep the clients' port from one start to the next (the product's own etcd, which a fleet is
   * pointed at): the port remembered in the data dir when free, else `preferred` (default etcd's
   * 2379) when free, else a free one; the port taken is remembered. Without it, any free port.
   */
  stableClientPort?: { preferred?: number };
}

/**
 * Starts etcd on loopback ports (free ones, or a stable client port: `stableClientPort`) with its data
 * under `dataDir`; logs go to `dataDir/etcd.log`. Peers always talk plain http (one member, loopback).
 * A port taken between finding it free and etcd binding it (parallel tests, a busy machine) means
 * other ports, up to START_ATTEMPTS times.
 */
export async function startLocalEtcd(dataDir: string, options: LocalEtcdOptions = {}): Promise<LocalEtcd> {
  mkdirSync(dataDir, { recursive: true });
  const port = options.ports ?? freePort;
  const logFile = path.join(dataDir, 'etcd.log');
  const triedClientPorts = new Set<number>();
  for (let attempt = 1; ; attempt += 1) {
    const logged = sizeOf(logFile);
    const stable = options.stableClientPort;
    const client = stable ? await stableClientPort(dataDir, stable.preferred ?? ETCD_DEFAULT_CLIENT_PORT, triedClientPorts, port) : { port: await port(), from: 'free' as const };
    triedClientPorts.add(client.port);
    try {
      const started = await startLocalEtcdOn(client, await port(), dataDir, options);
      if (stable) writeFileSync(path.join(dataDir, CLIENT_PORT_FILE), `${client.port}\n`);
      return started;
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !portTaken(logFile, logged)) throw error;
    }
  }
}

async function startLocalEtcdOn(client: { port: number; from: ClientPortFrom }, peerPort: number, dataDir: string, options: LocalEtcdOptions): Promise<LocalEtcd> {
  const { tls } = options;
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${client.port}`;
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
    ...(tls ? ['--cert-file', tls.certFile, '--key-file', tls.keyFile, '--trusted-ca-file', tls.caFile] : []),
    ...(tls?.clientCertAuth ? ['--client-cert-auth'] : []),
  ];
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const command = options.ownProcessGroup ? withParentDeathSignal(findEtcdBinary(), args) : { file: findEtcdBinary(), args, launcher: false };
    // A descriptor of its own on the file, not a pipe through this process, which it may outlive.
    const stderr = openSync(path.join(dataDir, 'etcd.stderr.log'), 'a');
    try {
      child = spawn(command.file, command.args, { stdio: ['ignore', 'ignore', stderr], detached: options.ownProcessGroup === true });
    } finally {
      closeSync(stderr);
    }
    const started = child;
    if (options.ownProcessGroup && !command.launcher) {
      // In its own group, without a parent-death signal, it would outlive an owner that exits without
      // stopping it (an uncaught error, a failed start): the owner's last act is to signal it.
      const stopWithOwner = (): void => void started.kill('SIGTERM');
      process.once('exit', stopWithOwner);
      started.once('exit', () => process.off('exit', stopWithOwner));
    }
    const cannotStart = (reason: string): Error => new Error(`cannot start etcd (${reason}); install Debian's etcd-server or set ETCD_BIN`);
    await new Promise<void>((resolve, reject) => {
      started.once('spawn', resolve);
      started.once('error', (error) => reject(cannotStart(error.message)));
    });
    try {
      await waitHealthy(endpoint, started, options.timeoutMs ?? 15_000, tls);
    } catch (error) {
      // What the launcher exits with when it cannot execute etcd; without one, spawn's ENOENT says it.
      if (command.launcher && started.exitCode === SETPRIV_CANNOT_EXECUTE) throw cannotStart(`${findEtcdBinary()} not found`);
      throw error;
    }
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
    clientPortFrom: client.from,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: launch,
  };
}
