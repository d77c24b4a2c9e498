import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { perAttempt } from '../support/names';
import { eventually, startServer, type TestServer } from '../support/server';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The TypeScript OpenTelemetry setup exactly as README.md's "Connect your fleet" shows it. */
function readmeSnippet(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const intro = readme.indexOf('In TypeScript the same takes `@opentelemetry/sdk-metrics`');
  const start = readme.indexOf('```ts\n', intro);
  const end = readme.indexOf('\n```', start + 6);
  if (intro === -1 || start === -1 || end === -1) throw new Error('README has no TypeScript OpenTelemetry block');
  return readme.slice(start + 6, end + 1);
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
// Checked, not wrapped: the provider's methods need it as `this`.
const SnippetModule = z.object({ timed: z.custom<(route: string, handler: Handler) => Handler>((value) => typeof value === 'function'), meters: z.instanceof(MeterProvider) });
const PointsSchema = z.object({ points: z.array(z.object({ rps: z.number(), p50Ms: z.number().nullable(), p99Ms: z.number().nullable() })) });

let etcd: TestEtcd;
let server: TestServer;
let orders: Server | undefined;
/** Inside the checkout (ignored by git), so the block's imports resolve to this project's node_modules. */
const dir = path.join(ROOT, 'test-results', perAttempt('readme-otel'));

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  mkdirSync(dir, { recursive: true });
});
afterAll(async () => {
  if (orders) await new Promise((resolve) => orders?.close(resolve));
  await server?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("README's TypeScript OpenTelemetry setup, as written", () => {
  it('reports 20–70 ms requests as tens of milliseconds (seconds buckets), not as the 0–5 s bucket of the SDK default', async () => {
    // A service of its own per attempt: a retry's series would also hold the first attempt's requests.
    const service = perAttempt('orders');
    const token = await server.createToken({ name: 'orders-otel', role: 'viewer', service });
    // What the README tells a service owner to set; the exporter and envDetector read them at construction.
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${token}`,
      OTEL_SERVICE_NAME: service,
      OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${service}-1`,
    });
    const file = path.join(dir, 'telemetry.ts');
    writeFileSync(file, readmeSnippet());
    const { timed, meters } = SnippetModule.parse(await import(pathToFileURL(file).href));

    // Each request answers after the delay it asks for.
    const served = createServer(timed('/orders', (request, response) => {
      const delayMs = Number(new URL(request.url ?? '/', 'http://orders').searchParams.get('ms'));
      setTimeout(() => response.writeHead(200).end(), delayMs);
    }));
    orders = served;
    await new Promise<void>((resolve) => served.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(served.address() as AddressInfo).port}`;
    await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address }));
    const request = (ms: number) => fetch(`http://${address}/orders?ms=${ms}`).then((response) => response.arrayBuffer());

    // A cumulative stream's first export counts nothing (it may hold counts from before Switchyard
    // saw it): one request and an export first, then the requests measured, then the export carrying them.
    await request(20);
    await meters.forceFlush();
    const delaysMs = Array.from({ length: 40 }, (_, i) => 20 + (i % 11) * 5);
    await Promise.all(delaysMs.map(request));
    await meters.forceFlush();

    const points = await eventually(async () => {
      const { points } = PointsSchema.parse(await (await server.fetch(`/api/v1/services/${service}/latency?window=5m`)).json());
      const withCalls = points.filter((point) => point.rps > 0);
      return withCalls.reduce((sum, point) => sum + point.rps, 0) >= delaysMs.length - 0.5 ? withCalls : undefined;
    }, 10_000, `the ${delaysMs.length} requests in the ${service} series`);
    await meters.shutdown();
    // Requests of 20–70 ms: p50 ≈ 45 ms. Millisecond buckets read in seconds put them all in 0–5 s: p50 2,500 ms, p99 4,950.
    for (const point of points) {
      expect(point.p50Ms).toBeGreaterThanOrEqual(10);
      expect(point.p50Ms).toBeLessThan(100);
      expect(point.p99Ms).toBeLessThan(250);
    }
  });
});
