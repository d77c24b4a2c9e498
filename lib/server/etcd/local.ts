import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
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
  /** The stable client port it would have taken (its last start's, else the preferred one), when another was taken for being in use. */
  clientPortPassedOver: { port: number; from: 'remembered' | 'preferred' } | undefined;
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

interface ClientPortChoice {
  port: number;
  from: ClientPortFrom;
  passedOver: LocalEtcd['clientPortPassedOver'];
}

/** The port remembered in `dataDir`, else `preferred`, each when free and not `tried` already; else a free one. */
async function stableClientPort(dataDir: string, preferred: number, tried: ReadonlySet<number>, free: () => Promise<number>): Promise<ClientPortChoice> {
  const remembered = rememberedClientPort(dataDir);
  const candidates: [number | undefined, 'remembered' | 'preferred'][] = [[remembered, 'remembered'], [preferred, 'preferred']];
  let passedOver: ClientPortChoice['passedOver'];
  for (const [port, from] of candidates) {
    if (port === undefined) continue;
    if (!tried.has(port) && (await portIsFree(port))) return { port, from, passedOver };
    passedOver ??= { port, from };
  }
  return { port: await free(), from: 'free', passedOver };
}

/** How a start-up line says where a local etcd's client port came from. */
export function clientPortSaid(local: Pick<LocalEtcd, 'endpoint' | 'clientPortFrom' | 'clientPortPassedOver'>): string {
  const port = Number(new URL(local.endpoint).port);
  const passedOver = local.clientPortPassedOver;
  if (passedOver?.from === 'remembered') return `the port it had at its last start, ${passedOver.port}, is taken; using ${port} for this start`;
  if (local.clientPortFrom === 'remembered') return 'the port it had at its last start';
  if (local.clientPortFrom === 'preferred') return port === ETCD_DEFAULT_CLIENT_PORT ? "etcd's default port" : 'the preferred port';
  if (passedOver) return `port ${passedOver.port} was taken; this one is kept for the next start`;
  return 'a free port, not kept for the next start';
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

/**
 * Whether process `pid` holds the socket listening on 127.0.0.1:`port` (Linux: /proc/net/tcp and the
 * process's descriptors); undefined where /proc cannot say (another OS).
 */
function listensOn(pid: number, port: number): boolean | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  // Columns: sl, local_address, rem_address, st (0A: listening), …, inode (10th).
  const inodes = new Set(table.split('\n').map((line) => line.trim().split(/\s+/)).filter((columns) => columns[1] === local && columns[3] === '0A').map((columns) => columns[9]));
  if (inodes.size === 0) return false;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Healthy, and the etcd answering is `child`: another etcd already on the port answers the health check
 * while `child` is still starting, then fails to bind it and exits ('address already in use').
 */
async function waitHealthy(endpoint: string, child: ChildProcess, timeoutMs: number, tls: LocalEtcdTls | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const port = Number(new URL(endpoint).port);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode} before becoming healthy`);
    try {
      const body = (await healthBody(endpoint, tls)) as { health?: string };
      if (body.health === 'true' && child.exitCode === null && listensOn(child.pid ?? 0, port) !== false) return;
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

/** `stableClientPort` as SWITCHYARD_LOCAL_ETCD_PORT asks: that port preferred, or none kept (`free`). */
export function stableClientPortOf(config: { SWITCHYARD_LOCAL_ETCD_PORT: number | 'free' }): LocalEtcdOptions['stableClientPort'] {
  return config.SWITCHYARD_LOCAL_ETCD_PORT === 'free' ? undefined : { preferred: config.SWITCHYARD_LOCAL_ETCD_PORT };
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
    const client: ClientPortChoice = stable
      ? await stableClientPort(dataDir, stable.preferred ?? ETCD_DEFAULT_CLIENT_PORT, triedClientPorts, port)
      : { port: await port(), from: 'free', passedOver: undefined };
    triedClientPorts.add(client.port);
    try {
      const started = await startLocalEtcdOn(client, await port(), dataDir, options);
      // A remembered port taken is used again next time: the fleet is pointed at it.
      if (stable && client.passedOver?.from !== 'remembered') rememberClientPort(dataDir, client.port);
      return started;
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !portTaken(logFile, logged)) throw error;
    }
  }
}

/** Written after etcd is up: failing to write it (a directory in its place, a read-only disk) only costs the next start its port. */
function rememberClientPort(dataDir: string, port: number): void {
  const file = path.join(dataDir, CLIENT_PORT_FILE);
  try {
    writeFileSync(file, `${port}\n`);
  } catch (error) {
    console.warn(`local etcd: cannot remember its client port in ${file} (${error instanceof Error ? error.message : String(error)}); the next start may take another`);
  }
}

async function startLocalEtcdOn(client: ClientPortChoice, peerPort: number, dataDir: string, options: LocalEtcdOptions): Promise<LocalEtcd> {
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
    clientPortPassedOver: client.passedOver,
    get pid() {
      return child?.pid;
    },
    stop,
    restart: launch,
  };
}
