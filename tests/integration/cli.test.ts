import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/switchyard.mjs');
let etcd: TestEtcd;
let server: TestServer;
let healthy: Server;
/** The pipeline's operator token, from the Access page (here: the API). */
let pipelineToken: string;

/** Runs the real CLI as a pipeline would, with `SWITCHYARD_TOKEN` set; resolves with its exit code and output. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  return cliWithToken(pipelineToken, ...args);
}
/** The CLI run like `cli`, its output readable while it runs: a test can act once it has said something. */
function cliRunning(...args: string[]): { out(): string; exited: Promise<{ code: number; out: string }> } {
  const child = spawn(process.execPath, [bin, ...args, '--url', server.url], { env: { ...process.env, SWITCHYARD_TOKEN: pipelineToken }, stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number; out: string }>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, out })));
  return { out: () => out, exited };
}

async function cliWithToken(token: string | undefined, ...args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, SWITCHYARD_TOKEN: token ?? '' };
  try {
    const { stdout } = await run(process.execPath, [bin, ...args, '--url', server.url], { timeout: 60_000, env });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, out: failed.stdout ?? '' };
  }
}

const report = (id: string) =>
  server.fetch(`/api/v1/ingest/calls`, {
    method: 'POST',
    body: JSON.stringify({ reporter: { service: 'gw', instance: 'gw-1' }, intervalStart: new Date(Date.now() - 1_000).toISOString(), intervalSeconds: 1, calls: [{ to: 'api', toInstance: id, count: 5, errors: 0, latencyMs: { bounds: [10], counts: [5, 0] } }] }),
  });

beforeAll(async () => {
  healthy = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  etcd = await startEtcd();
  for (const id of ['a-1', 'a-2', 'a-3']) {
    await etcd.put(`/services/api/${id}`, JSON.stringify({ address: `127.0.0.1:${(healthy.address() as AddressInfo).port}`, health: { http: '/healthz' } }));
  }
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500', SWITCHYARD_DRAIN_QUIET_SECONDS: '2' } });
  await eventually(async () => ((await server.fetch(`/readyz`)).status === 200 ? true : undefined), 10_000, 'ready');
  // Probed passing first: a drain that would leave no passing instance in rotation is refused (exit 3),
  // which the first test met when the first probes had not answered yet on a loaded machine.
  await eventually(
    async () => {
      const api = (await (await server.fetch('/api/v1/services/api')).json()) as { instances?: { status: string }[] };
      return api.instances?.length === 3 && api.instances.every((instance) => instance.status === 'passing') ? true : undefined;
    },
    15_000,
    'api probed passing',
  );
  pipelineToken = await server.createToken({ name: 'ci-pipeline', role: 'operator' });
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  await new Promise((resolve) => healthy.close(resolve));
});

describe('switchyard CLI against a real dashboard', () => {
  it('drains, refuses a second drain with exit 3, and undrains', async () => {
    const drained = await cli('drain', 'api/a-1', '--reason', 'deploy 4.2');
    expect(drained).toMatchObject({ code: 0 });
    expect(drained.out).toContain('drained api/a-1');
    const instance = (await (await server.fetch('/api/v1/services/api')).json()) as { instances: { id: string; drain: { by: string } | null }[] };
    expect(instance.instances.find((i) => i.id === 'a-1')?.drain?.by).toBe('token:ci-pipeline');
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual(['/switchyard/drain/api/a-1']);
    const again = await cli('drain', 'api/a-1', '--reason', 'again');
    expect(again.code).toBe(3);
    expect(again.out).toContain('already drained');
    expect((await cli('undrain', 'api/a-1')).code).toBe(0);
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual([]);
  });

  it('with --wait exits 0 once calls stop', async () => {
    // Not drained (a retry finds what a failed first attempt left).
    await cli('undrain', 'api/a-2');
    await report('a-2');
    const waiting = cli('drain', 'api/a-2', '--reason', 'restart', '--wait', '--timeout', '30s');
    await report('a-2');
    const result = await waiting;
    expect(result.code).toBe(0);
    expect(result.out).toContain('is idle');
    await cli('undrain', 'api/a-2');
  });

  it('with --wait times out with exit 4 while calls continue, leaving the drain in place', async () => {
    for (const id of ['a-2', 'a-3']) await cli('undrain', `api/${id}`);
    const reporting = setInterval(() => void report('a-3'), 300);
    try {
      const result = await cli('drain', 'api/a-3', '--reason', 'busy', '--wait', '--timeout', '4s');
      expect(result.code).toBe(4);
      expect(result.out).toContain('timed out after 4s');
    } finally {
      clearInterval(reporting);
    }
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual(['/switchyard/drain/api/a-3']);
    await cli('undrain', 'api/a-3');
  });

  it.each([
    [['drain', 'api'], 'name the instance'],
    [['drain', 'api/a-1'], '--reason is required'],
    [['drain', 'api/a-1', '--reason', 'r', '--ttl', 'soon'], 'is not a duration'],
    [['explode', 'api/a-1'], 'unknown command'],
  ])('exits 2 on bad input %j', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.out).toContain(message);
  });

  it('needs an operator token: none is bad input (2), a viewer token is an auth failure (5), a token file works', async () => {
    const none = await cliWithToken(undefined, 'undrain', 'api/a-1');
    expect(none.code).toBe(2);
    expect(none.out).toContain('SWITCHYARD_TOKEN');
    const viewer = await cliWithToken(await server.createToken({ name: 'looker', role: 'viewer' }), 'drain', 'api/a-1', '--reason', 'r');
    expect(viewer.code).toBe(5);
    expect(viewer.out).toContain('needs role operator');
    expect((await cliWithToken('syd_wrong', 'undrain', 'api/a-1')).code).toBe(5);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-cli-'));
    try {
      writeFileSync(path.join(dir, 'token'), `${pipelineToken}\n`);
      expect((await cliWithToken(undefined, 'drain', 'api/a-1', '--reason', 'from a file', '--token-file', path.join(dir, 'token'))).code).toBe(0);
      expect((await cli('undrain', 'api/a-1')).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual([]);
  });

  it('says where the registry stands in the service answer and its 404, which drain --wait needs to call an instance gone', async () => {
    expect(((await (await server.fetch('/api/v1/services/api')).json()) as { registry?: { state: string } }).registry?.state).toBe('synced');
    const missing = await server.fetch('/api/v1/services/nobody');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { registry?: { state: string } }).registry?.state).toBe('synced');
  });

  it('with --wait exits 3 once a synced server no longer lists the service', async () => {
    await etcd.put('/services/solo/s-1', JSON.stringify({ address: `127.0.0.1:${(healthy.address() as AddressInfo).port}`, health: { http: '/healthz' } }));
    await eventually(async () => ((await server.fetch('/api/v1/services/solo')).status === 200 ? true : undefined), 10_000, 'solo listed');
    const calls = () =>
      server.fetch(`/api/v1/ingest/calls`, {
        method: 'POST',
        body: JSON.stringify({ reporter: { service: 'gw', instance: 'gw-1' }, intervalStart: new Date(Date.now() - 1_000).toISOString(), intervalSeconds: 1, calls: [{ to: 'solo', toInstance: 's-1', count: 5, errors: 0, latencyMs: { bounds: [10], counts: [5, 0] } }] }),
      });
    await calls();
    const reporting = setInterval(() => void calls(), 300);
    try {
      const waiting = cliRunning('drain', 'solo/s-1', '--reason', 'retire', '--force', '--wait', '--timeout', '30s');
      // Once the drain is answered, so that the deregistration lands while the CLI waits, not while
      // the drain request still settles (then it is "deregistered meanwhile", also exit 3).
      await eventually(() => (waiting.out().includes('drained solo/s-1') ? true : undefined), 10_000, 'solo drained');
      await etcd.delete('/services/solo/s-1');
      const result = await waiting.exited;
      expect(result.code).toBe(3);
      expect(result.out).toContain('solo/s-1 is no longer drained');
    } finally {
      clearInterval(reporting);
      await etcd.delete('/switchyard/drain/solo/s-1');
    }
  });

  it("runs from a pipeline's own working directory, outside the checkout", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-pipeline-'));
    const env = { ...process.env, SWITCHYARD_TOKEN: pipelineToken };
    try {
      const drained = await run(process.execPath, [bin, 'drain', 'api/a-2', '--reason', 'deploy 4.2', '--url', server.url], { cwd: dir, env, timeout: 60_000 });
      expect(drained.stdout).toContain('drained api/a-2');
      await run(process.execPath, [bin, 'undrain', 'api/a-2', '--url', server.url], { cwd: dir, env, timeout: 60_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await etcd.etcdctlKeys('/switchyard/drain/')).toEqual([]);
  });

  it('exits 3 for an unknown instance and 1 when the dashboard is unreachable', async () => {
    expect((await cli('drain', 'api/nope', '--reason', 'r')).code).toBe(3);
    const unreachable = await run(process.execPath, [bin, 'undrain', 'api/a-1', '--url', 'http://127.0.0.1:1'], { env: { ...process.env, SWITCHYARD_TOKEN: 'syd_x' } }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('cannot reach Switchyard');
  });
});
