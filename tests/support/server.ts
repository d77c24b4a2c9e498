import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@/lib/server/etcd/local';
import type { TestCerts } from './certs';

export interface TestServer {
  /** `https://…` when started with `tls`. */
  url: string;
  /** The CA that signed the server's certificate, when started with `tls`: trust it to call `url`. */
  ca: Buffer | undefined;
  pid: number | undefined;
  dataDir: string;
  output(): string;
  /** SIGKILL: no cleanup, like a crash or the OOM killer. */
  kill(): Promise<void>;
  /** SIGTERM, then waits; resolves with the exit code (null when it had to be killed). */
  stop(): Promise<number | null>;
}

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the real product (server.ts, production build) on a free port against the given etcd.
 * `npm test` builds first; the server is stopped with SIGTERM, like a supervisor would.
 */
export async function startServer(options: {
  etcdEndpoints: string[];
  env?: Record<string, string>;
  dataDir?: string;
  /** Serve HTTPS with `tls.server` (TLS_CERT_FILE/TLS_KEY_FILE). */
  tls?: TestCerts;
}): Promise<TestServer> {
  const port = await freePort();
  // A caller-supplied data dir outlives the server (restart tests) and is the caller's to remove.
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'switchyard-data-'));
  // node itself, not the tsx wrapper: a signal must reach the process that serves.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ETCD_ENDPOINTS: options.etcdEndpoints.join(','),
      ...(options.tls ? { TLS_CERT_FILE: options.tls.server.certFile, TLS_KEY_FILE: options.tls.server.keyFile } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      if (output.includes('Switchyard ready on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    ca: options.tls?.ca,
    pid: child.pid,
    dataDir,
    output: () => output,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
