import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's golang-etcd-server-dev puts etcd's Go sources (etcd 3.4 layout: go.etcd.io/etcd/clientv3). */
export const DEBIAN_GOPATH = '/usr/share/gocode';
const SOURCE = path.resolve(import.meta.dirname, 'go/register.go');
/** Kept between runs so only the first build compiles clientv3 and gRPC (about a minute on a busy machine). */
const GO_CACHE = path.join(os.tmpdir(), 'switchyard-test-go-cache');

export interface GoRegistrar {
  /** The lease id the program holds, in decimal. */
  lease: string;
  /** SIGTERM: the program revokes its lease, as a graceful shutdown does; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface GoRegisterProgram {
  start(options: { endpoint: string; ttlSeconds: number; leased: Record<string, string>; unleased?: Record<string, string> }): Promise<GoRegistrar>;
  remove(): void;
}

/**
 * Builds one Go source file in a temp dir with the system Go in GOPATH mode against Debian's
 * clientv3 (offline: no module download); the caller removes `dir`. Throws with `what` in the message.
 */
export async function buildGoProgram(source: string, what: string): Promise<{ dir: string; binary: string }> {
  const name = path.basename(source, '.go');
  const dir = mkdtempSync(path.join(os.tmpdir(), `switchyard-go-${name}-`));
  copyFileSync(source, path.join(dir, `${name}.go`));
  const binary = path.join(dir, name);
  const env = { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOCACHE: GO_CACHE, GOFLAGS: '', CGO_ENABLED: '0' };
  try {
    await run('go', ['build', '-o', binary, `${name}.go`], { cwd: dir, env, timeout: 300_000 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot build ${what} (needs Debian golang-go and golang-etcd-server-dev; npm test installs them as root): ${String(error)}`);
  }
  return { dir, binary };
}

/** Builds tests/support/go/register.go, so the registrations come from etcd's own client. */
export async function buildGoRegister(): Promise<GoRegisterProgram> {
  const { dir, binary } = await buildGoProgram(SOURCE, 'the Go registrar');
  const children = new Set<ChildProcess>();
  return {
    async start({ endpoint, ttlSeconds, leased, unleased = {} }) {
      const args = ['-endpoints', endpoint, '-ttl', String(ttlSeconds)];
      for (const [key, value] of Object.entries(leased)) args.push('-leased', `${key}=${value}`);
      for (const [key, value] of Object.entries(unleased)) args.push('-unleased', `${key}=${value}`);
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let output = '';
      const lease = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Go registrar did not register in 20 s:\n${output}`)), 20_000);
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const registered = /registered lease (\d+)/.exec(output);
          if (registered?.[1]) {
            clearTimeout(timer);
            resolve(registered[1]);
          }
        });
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`Go registrar exited with ${code}:\n${output}`));
        });
      });
      return {
        lease,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            await exited;
          }
          children.delete(child);
          return child.exitCode;
        },
      };
    },
    remove() {
      for (const child of children) child.kill('SIGKILL');
      children.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
