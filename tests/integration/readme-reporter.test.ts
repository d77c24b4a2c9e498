import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

/** The TypeScript reporter exactly as README.md shows it. */
function readmeReporter(): string {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const intro = readme.indexOf('The same in TypeScript');
  const start = readme.indexOf('```ts\n', intro);
  const end = readme.indexOf('\n```', start + 6);
  if (intro === -1 || start === -1 || end === -1) throw new Error('README has no TypeScript reporter block');
  return readme.slice(start + 6, end + 1);
}

/** The shell example of `POST /api/v1/ingest/calls` exactly as README.md shows it ("Health and latency"). */
function readmeIngestExample(): string {
  const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');
  const intro = readme.indexOf('as histograms, to `POST /api/v1/ingest/calls` (contract)');
  const start = readme.indexOf('```sh\n', intro);
  const end = readme.indexOf('\n```', start + 6);
  // The next block, not one further on: the example follows its sentence.
  if (intro === -1 || start === -1 || end === -1 || readme.slice(intro, start).includes('```')) throw new Error('README has no shell ingest example after "(contract)"');
  return readme.slice(start + 6, end + 1);
}

const ReporterModule = z.object({ tracked: z.function(), report: z.function() });
const PointsSchema = z.object({ points: z.array(z.object({ rps: z.number(), errorRate: z.number().nullable() })) });

let etcd: TestEtcd;
let server: TestServer;
let users: Server;
let dir: string;

beforeAll(async () => {
  etcd = await startEtcd();
  users = createServer((request, response) => response.writeHead(request.url === '/fail' ? 503 : 200).end());
  await new Promise<void>((resolve) => users.listen(0, '127.0.0.1', resolve));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-readme-'));
});
afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => users?.close(resolve));
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("README's TypeScript reporter, as written", () => {
  it('reports calls with a service-scoped token, and they show in the callee series', async () => {
    // A callee of its own per attempt: a retry's series would also hold the first attempt's calls.
    const callee = perAttempt('users');
    const usersUrl = `http://127.0.0.1:${(users.address() as AddressInfo).port}`;
    await etcd.put(`/services/${callee}/${callee}-1`, JSON.stringify({ address: usersUrl.slice('http://'.length) }));
    const token = await server.createToken({ name: 'orders-reporter', role: 'viewer', service: 'orders' });
    Object.assign(process.env, { SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: token, SERVICE_NAME: 'orders', INSTANCE_ID: 'orders-1' });
    // A file of its own per attempt: importing the same file again would give the first attempt's module, with its token.
    const file = path.join(dir, `${perAttempt('reporter')}.ts`);
    writeFileSync(file, readmeReporter());
    const reporter = ReporterModule.parse(await import(pathToFileURL(file).href));
    const tracked = reporter.tracked as (to: string, call: () => Promise<Response>) => Promise<Response>;
    for (const route of ['/ok', '/ok', '/ok', '/fail']) await tracked(callee, () => fetch(`${usersUrl}${route}`));
    expect(await (reporter.report as () => Promise<number | null>)()).toBe(202);
    const points = await eventually(async () => {
      const { points } = PointsSchema.parse(await (await server.fetch(`/api/v1/services/${callee}/latency?window=5m`)).json());
      const withCalls = points.filter((point) => point.rps > 0);
      return withCalls.length > 0 ? withCalls : undefined;
    }, 10_000, `the reported calls in the ${callee} series`);
    const calls = points.reduce((sum, point) => sum + point.rps, 0);
    expect(calls).toBeCloseTo(4, 5);
  });
});

describe("README's ingest example, as written", () => {
  // Its interval starts now, whenever it is run: a fixed date, 24 h old, was refused (422 clock_skew).
  it('is accepted (202) when run in a shell on any day, and its calls show on the edge', async () => {
    const caller = perAttempt('orders');
    const token = await server.createToken({ name: 'readme-ingest', role: 'viewer' });
    const example = readmeIngestExample().replaceAll('"orders"', JSON.stringify(caller));
    const { stdout } = await promisify(execFile)('bash', ['-c', example], { env: { ...process.env, SWITCHYARD_URL: server.url, SWITCHYARD_TOKEN: token } });
    expect(JSON.parse(stdout)).toMatchObject({ accepted: 1 });
    const EdgesSchema = z.object({ edges: z.array(z.object({ from: z.string(), to: z.string() })) });
    await eventually(async () => {
      const { edges } = EdgesSchema.parse(await (await server.fetch('/api/v1/topology')).json());
      return edges.some((edge) => edge.from === caller && edge.to === 'payments') ? true : undefined;
    }, 10_000, `the edge ${caller} → payments`);
  });
});
