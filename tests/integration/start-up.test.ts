import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@/lib/server/etcd/local';
import { processStat } from '../support/processes';
import { ADMIN_PASSWORD, eventually } from '../support/server';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The product as `npm start` runs it on its embedded default: no ETCD_ENDPOINTS, so it starts its own
 * etcd under DATA_DIR. Not `startServer`: that needs an etcd, signs in once ready, and cannot watch a
 * start fail or signal the server's whole process group. Its etcd on a free port, or preferring
 * `etcdPort`: never etcd's default 2379, where parallel runs or a developer's own fleet may be.
 */
function startEmbedded(port: number, dataDir: string, etcdPort: number | 'free' = 'free'): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SWITCHYARD_LOCAL_ETCD_PORT: String(etcdPort),
  };
  delete env.ETCD_ENDPOINTS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a terminal's foreground job is: a Ctrl-C is sent to the whole group.
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Live processes whose command line names `dataDir` (the embedded etcd's `--data-dir` is under it). */
function processesUsing(dataDir: string): { pid: number; group: number }[] {
  const found: { pid: number; group: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const stat = Number.isInteger(pid) ? processStat(pid) : undefined;
    if (!stat || stat.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) found.push({ pid, group: stat.group });
    } catch {
      // gone while being read
    }
  }
  return found;
}

/** SIGKILL to a process or (negative) a group that may be gone already. */
function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** A server left running by a failed test: its whole group. */
function stopGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) kill(-child.pid);
}

describe('start-up and Ctrl-C on the embedded default', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  // Newest first: a server is killed before its data dir (and the etcd under it) is cleared.
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-start-up-'));
    cleanups.push(async () => {
      for (const { pid } of processesUsing(dir)) kill(pid);
      await eventually(() => processesUsing(dir).length === 0 || undefined, 15_000, 'what a failed test left running to end');
      rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  };

  it('a port already taken: exits 1 saying which and how to change it, and stops the etcd it started', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => void taken.close());
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const dataDir = tempDir();
    const server = startEmbedded(port, dataDir);
    cleanups.push(() => stopGroup(server.child));
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('started local etcd');
    expect(server.output()).toContain(`cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
    expect(server.output()).toContain('(set PORT or HOST)');
    expect(server.output()).not.toContain('uncaughtException');
    await eventually(() => processesUsing(dataDir).length === 0 || undefined, 15_000, 'the embedded etcd to stop');
  }, 90_000);

  it('a first start says what runs where and nothing a newcomer cannot place; the embedded etcd keeps its port at the next start', async () => {
    const dataDir = tempDir();
    // An unusual port, not etcd's default, as a setting would give.
    const preferredEtcdPort = await freePort();
    const startOnce = async (): Promise<string> => {
      const server = startEmbedded(await freePort(), dataDir, preferredEtcdPort);
      cleanups.push(() => stopGroup(server.child));
      await eventually(() => server.output().includes('Switchyard ready on') || undefined, 60_000, 'the server to be ready');
      process.kill(-(server.child.pid ?? 0), 'SIGINT');
      expect(await server.exited).toBe(0);
      return server.output();
    };
    const timed = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
    const etcdLine = (reason: string): RegExp => new RegExp(String.raw`^${timed} started local etcd at (http://127\.0\.0\.1:\d+) \((${reason}); data in ${dataDir}/etcd\)$`);
    const lines = (output: string): string[] =>
      output
        .split('\n')
        .filter((line) => line !== '')
        // Next's own line, printed by its router whatever the custom server asks (next/dist/server/lib/router-server.js).
        .filter((line) => !/^. Running next\.config\.\w+ took /.test(line));

    const first = lines(await startOnce());
    expect(first, first.join('\n')).toHaveLength(4);
    const [etcd, admin, ready, stopping] = first;
    const port = etcdLine(`the preferred port|port ${preferredEtcdPort} was taken; this one is kept for the next start`).exec(etcd ?? '');
    expect(port, etcd).not.toBeNull();
    expect(admin).toMatch(new RegExp(`^${timed} first start: created user "admin" with the password from SWITCHYARD_ADMIN_PASSWORD$`));
    expect(ready).toMatch(/^Switchyard ready on http:\/\/127\.0\.0\.1:\d+$/);
    expect(stopping).toBe('SIGINT: shutting down');

    const second = lines(await startOnce());
    expect(etcdLine('the port it had at its last start').exec(second[0] ?? '')?.[1], second[0]).toBe(port?.[1]);
  }, 120_000);

  it('Ctrl-C to its process group: the embedded etcd, in a group of its own, is not signalled under it; both stop, with no error line', async () => {
    const dataDir = tempDir();
    const server = startEmbedded(await freePort(), dataDir);
    const pid = server.child.pid ?? 0;
    cleanups.push(() => stopGroup(server.child));
    await eventually(() => server.output().includes('Switchyard ready on') || undefined, 60_000, 'the server to be ready');
    const etcd = processesUsing(dataDir).filter((found) => found.pid !== pid);
    expect(etcd).toHaveLength(1);
    expect(etcd[0]?.group).not.toBe(pid);
    const ready = server.output().length;

    process.kill(-pid, 'SIGINT');
    expect(await server.exited).toBe(0);
    const afterReady = server.output().slice(ready);
    expect(afterReady).toContain('SIGINT: shutting down');
    expect(afterReady).not.toMatch(/lost|disconnect|unreachable|error|fail/i);
    await eventually(() => processesUsing(dataDir).length === 0 || undefined, 15_000, 'the embedded etcd to stop');
  }, 90_000);
});
