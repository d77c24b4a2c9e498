import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '@/lib/server/etcd/local';

export interface TestPostgres {
  /** `postgres://…` for the server's maintenance database. */
  adminUrl: string;
  /** A new empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** Runs one SQL statement in the database at `url`, as the superuser, independent of the product's code. */
  query<Row extends Record<string, unknown>>(url: string, text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Shuts the server down as an operator's restart does (fast shutdown: every connection ended), runs
   * `whileDown`, then starts it again on the same port and data, and waits until it accepts connections.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

const SUPERUSER = 'switchyard';
const READY_WITHIN_MS = 30_000;

/** The newest Debian PostgreSQL (`/usr/lib/postgresql/<major>/bin`) with both `initdb` and `postgres`. */
export function findPostgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const dir = path.join(root, major, 'bin');
    if (existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql; `npm test` installs it as root)');
}

/** PostgreSQL refuses to run as root: as root, the binaries run as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(file: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...user });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited with ${code}: ${stderr}`))));
  });
}

async function query<Row extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode} before accepting connections: ${log()}`);
    try {
      await query(url, 'select 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`postgres not ready within ${READY_WITHIN_MS} ms: ${String(error)}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A real PostgreSQL (`initdb` + `postgres`) in a temp dir, on a free loopback port, with its
 * socket in the temp dir and `fsync=off` (throwaway data); everything is removed on stop.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const binDir = findPostgresBinDir();
  const user = runAs();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-postgres-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  mkdirSync(socketDir);
  if (user) for (const owned of [dir, socketDir]) chownSync(owned, user.uid, user.gid);
  let child: ChildProcess | undefined;
  try {
    await run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C'], user);
    const port = await freePort();
    let stderr = '';
    const spawnServer = (): ChildProcess => {
      const spawned = spawn(
        path.join(binDir, 'postgres'),
        ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB'],
        { stdio: ['ignore', 'ignore', 'pipe'], ...user },
      );
      spawned.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
      return spawned;
    };
    const shutDown = async (server: ChildProcess): Promise<void> => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      // SIGINT is PostgreSQL's "fast" shutdown: open connections are ended, not waited for.
      server.kill('SIGINT');
      await exited;
    };
    let started = spawnServer();
    child = started;
    const urlOf = (database: string): string => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
    const adminUrl = urlOf('postgres');
    await waitReady(adminUrl, started, () => stderr);
    let created = 0;
    return {
      adminUrl,
      async createDatabase() {
        created += 1;
        const name = `test_${process.pid}_${created}`;
        await query(adminUrl, `create database "${name}"`);
        return urlOf(name);
      },
      query,
      async restart(whileDown) {
        await shutDown(started);
        await whileDown?.();
        started = spawnServer();
        await waitReady(adminUrl, started, () => stderr);
      },
      async stop() {
        await shutDown(started);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
