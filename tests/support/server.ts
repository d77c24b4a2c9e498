import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { signIn } from '@/demo/login';
import { freePort } from '@/lib/server/etcd/local';
import type { TestCerts } from './certs';

/** The first admin's password in every test server (SWITCHYARD_ADMIN_PASSWORD). */
export const ADMIN_PASSWORD = 'test-admin-password';

/** The password `userSession` gives a user it creates. */
export const passwordOf = (user: string): string => `${user}-password-123`;

export interface TestServer {
  /** `https://…` when started with `tls`. */
  url: string;
  /** An admin API token, created through the API at start. */
  adminToken: string;
  /** `fetch` against the server (a path or a full URL), as the admin token unless `init` sends its own Authorization. */
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response>;
  /** Signs in through the API; returns the session cookie (`name=value`). */
  login(username: string, password: string): Promise<string>;
  /** Creates a user (as the admin), unless one of that name exists already, and returns a session cookie for them. */
  userSession(name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string>;
  /** Creates an API token (as the admin) and returns its secret. */
  createToken(options: { name: string; role: 'viewer' | 'operator' | 'admin'; service?: string; expiresInDays?: number }): Promise<string>;
  /** The CA that signed the server's certificate, when started with `tls`: trust it to call `url`. */
  ca: Buffer | undefined;
  pid: number | undefined;
  dataDir: string;
  output(): string;
  /**
   * SIGKILL: no cleanup by the server, like a crash or the OOM killer. A data dir made for it is
   * removed after (a restart that must find its data passes a `dataDir` of its own).
   */
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
  /** Extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/x` (written at SIGTERM). */
  nodeArgs?: string[];
}): Promise<TestServer> {
  const port = await freePort();
  // A caller-supplied data dir outlives the server (restart tests) and is the caller's to remove.
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'switchyard-data-'));
  const removeOwnDataDir = (): void => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  // node itself, not the tsx wrapper: a signal must reach the process that serves.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'server.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ETCD_ENDPOINTS: options.etcdEndpoints.join(','),
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...(options.tls ? { TLS_CERT_FILE: options.tls.server.certFile, TLS_KEY_FILE: options.tls.server.keyFile } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const started = new Promise<void>((resolve, reject) => {
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
  await started.catch((error: unknown) => {
    // A server that did not start leaves nothing behind: not its process, not the data dir made for it.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    removeOwnDataDir();
    throw error;
  });
  // Over TLS, requests trust the test CA (Node's fetch takes undici's dispatcher option).
  const dispatcher = options.tls ? new Agent({ connect: { ca: options.tls.ca } }) : undefined;
  const send = (target: string, init: RequestInit): Promise<Response> => globalThis.fetch(target, { ...init, ...(dispatcher ? { dispatcher } : {}) } as RequestInit);
  const login = async (username: string, password: string): Promise<string> => {
    const { cookie, status } = await signIn(url, username, password, send as typeof fetch);
    if (!cookie) throw new Error(`login as ${username} failed: HTTP ${status}`);
    return cookie;
  };
  // A session to create the admin token; the token after that, since sessions may expire mid-test.
  let adminCredentials: Record<string, string> = { cookie: await login('admin', options.env?.SWITCHYARD_ADMIN_PASSWORD ?? ADMIN_PASSWORD), origin: url };
  const asAdmin = (path: string, body: unknown): Promise<Response> =>
    send(`${url}${path}`, { method: 'POST', headers: { ...adminCredentials, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const createToken: TestServer['createToken'] = async (token) => {
    const response = await asAdmin('/api/v1/tokens', token);
    if (response.status !== 201) throw new Error(`token creation failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { token: string }).token;
  };
  const adminToken = await createToken({ name: 'test-admin', role: 'admin' });
  adminCredentials = { authorization: `Bearer ${adminToken}` };
  return {
    url,
    adminToken,
    fetch(pathOrUrl, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization') && !headers.has('cookie')) headers.set('authorization', `Bearer ${adminToken}`);
      return send(pathOrUrl.startsWith('http') ? pathOrUrl : `${url}${pathOrUrl}`, { ...init, headers });
    },
    login,
    async userSession(name, role) {
      const password = passwordOf(name);
      const response = await asAdmin('/api/v1/users', { name, role, password });
      // 409: made by an earlier attempt of the test (a retry) or before a restart on the same data; signing in is what the caller wants.
      if (response.status !== 201 && response.status !== 409) throw new Error(`user creation failed: ${response.status} ${await response.text()}`);
      return login(name, password);
    },
    createToken,
    ca: options.tls?.ca,
    pid: child.pid,
    dataDir,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
      removeOwnDataDir();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(forced);
      }
      removeOwnDataDir();
      return child.exitCode;
    },
  };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
/** An unlabelled sample of the server's `/metrics` (Prometheus text), or undefined when it has none. */
export async function metric(server: TestServer, name: string): Promise<number | undefined> {
  const text = await (await server.fetch('/metrics')).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

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
