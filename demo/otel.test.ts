import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeMetricsRequest, decodeTraceRequest } from '@/lib/server/otlp/proto';
import { calleeOf, isError, type RegistryLookup } from '@/lib/model/otlp/peer';
import { spanFact } from '@/lib/model/otlp/spans';
import { attributeText } from '@/lib/model/otlp/schema';
import { createCaller } from './caller';
import { startOtlpInstance } from './otel';

/** What the exporters posted, by path, with the authorization they sent. */
interface Post {
  path: string | undefined;
  type: string | undefined;
  authorization: string | undefined;
  body: Buffer;
}

let sink: Server;
let url: string;
const posts: Post[] = [];

beforeAll(async () => {
  sink = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ path: request.url, type: request.headers['content-type'], authorization: request.headers.authorization, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => sink.close(resolve)));

/** A request of the vendored opentelemetry-proto, read with protobufjs into OTLP JSON's shape (the SDK only writes it). */
function decodeOtlp(body: Buffer, file: string, message: string): unknown {
  const root = new protobuf.Root();
  const protoRoot = path.resolve(import.meta.dirname, '../lib/server/otlp/proto');
  root.resolvePath = (_origin, target) => path.join(protoRoot, target);
  root.loadSync(file);
  const type = root.lookupType(message);
  return type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String });
}
const decodeTraces = (body: Buffer): unknown =>
  decodeOtlp(body, 'opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const decodeMetrics = (body: Buffer): unknown =>
  decodeOtlp(body, 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

const Value = z.object({ stringValue: z.string().optional(), intValue: z.string().optional() });
const KeyValues = z.array(z.object({ key: z.string(), value: Value })).default([]);
const attributes = (list: z.infer<typeof KeyValues>): Record<string, string | undefined> =>
  Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? value.intValue]));

const Traces = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: KeyValues }),
      scopeSpans: z.array(
        z.object({
          spans: z.array(z.object({ traceId: z.string(), spanId: z.string(), parentSpanId: z.string().default(''), name: z.string(), kind: z.number(), attributes: KeyValues })),
        }),
      ),
    }),
  ),
});

const Metrics = z.object({
  resourceMetrics: z.array(
    z.object({
      resource: z.object({ attributes: KeyValues }),
      scopeMetrics: z.array(
        z.object({
          metrics: z.array(
            z.object({
              name: z.string(),
              unit: z.string(),
              histogram: z.object({ aggregationTemporality: z.number(), dataPoints: z.array(z.object({ count: z.string(), attributes: KeyValues })) }),
            }),
          ),
        }),
      ),
    }),
  ),
});

/** SpanKind in OTLP: 2 server, 3 client, 4 producer, 5 consumer. */
const KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;

describe('startOtlpInstance', () => {
  it('exports spans linked across instances and duration metrics over OTLP protobuf, with the token header', async () => {
    const token = 'syd_demo';
    const target = { url, token: () => token, exportIntervalMs: 60_000 };
    const orders = startOtlpInstance(target, { service: 'orders', instance: 'orders-1', address: '127.0.0.1:7001' });
    const payments = startOtlpInstance(target, { service: 'payments', instance: 'payments-1', address: '127.0.0.1:7002' });
    const notifications = startOtlpInstance(target, { service: 'notifications', instance: 'notifications-1', address: '127.0.0.1:7003' });

    let message = {};
    await orders.serve({}, async (parent) => {
      orders.external(parent, 'mysql', Date.now() - 2, false);
      message = orders.external(parent, 'kafka', Date.now() - 1, false);
      const status = await orders.callInstance(parent, '127.0.0.1:7002', (headers) => payments.serve({ traceparent: headers.traceparent ?? '' }, async () => 503));
      orders.stats.record({ service: 'orders', instance: 'orders-1' }, { to: 'payments', toInstance: 'payments-1', address: '127.0.0.1:7002', status, latencyMs: 12, error: true });
      return 502;
    });
    await notifications.consume('kafka', message, async () => 200);
    await Promise.all([orders.shutdown(), payments.shutdown(), notifications.shutdown()]);

    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) {
      expect(post.type).toBe('application/x-protobuf');
      expect(post.authorization).toBe(`Bearer ${token}`);
    }
    const spans = posts
      .filter((post) => post.path === '/v1/traces')
      .flatMap((post) => Traces.parse(decodeTraces(post.body)).resourceSpans)
      .flatMap(({ resource, scopeSpans }) =>
        scopeSpans.flatMap(({ spans: list }) => list.map((span) => ({ ...span, resource: attributes(resource.attributes), attributes: attributes(span.attributes) }))),
      );
    const find = (service: string, kind: number, name?: string) => {
      const found = spans.find((span) => span.resource['service.name'] === service && span.kind === kind && (name === undefined || span.name === name));
      if (!found) throw new Error(`no ${service} span of kind ${kind}`);
      return found;
    };
    const ordersServer = find('orders', KIND.server);
    const ordersClient = find('orders', KIND.client, 'GET');
    const paymentsServer = find('payments', KIND.server);
    const database = find('orders', KIND.client, 'SELECT orders');
    const producer = find('orders', KIND.producer);
    const consumer = find('notifications', KIND.consumer);

    expect(ordersServer.resource['service.instance.id']).toBe('orders-1');
    expect(ordersServer.parentSpanId).toBe('');
    expect(ordersServer.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': '7001', 'http.response.status_code': '502' });
    expect(ordersClient.parentSpanId).toBe(ordersServer.spanId);
    expect(ordersClient.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': '7002', 'http.response.status_code': '503' });
    expect(paymentsServer.parentSpanId).toBe(ordersClient.spanId);
    expect(database.parentSpanId).toBe(ordersServer.spanId);
    expect(database.attributes).toMatchObject({ 'db.system': 'mysql', 'db.name': 'orders', 'server.address': 'mysql' });
    expect(producer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events' });
    expect(consumer.parentSpanId).toBe(producer.spanId);
    expect(consumer.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events' });
    expect(new Set([ordersServer, ordersClient, paymentsServer, database, producer, consumer].map((span) => span.traceId)).size).toBe(1);

    const metrics = posts
      .filter((post) => post.path === '/v1/metrics')
      .flatMap((post) => Metrics.parse(decodeMetrics(post.body)).resourceMetrics)
      .flatMap(({ resource, scopeMetrics }) => scopeMetrics.flatMap(({ metrics: list }) => list.map((metric) => ({ ...metric, service: attributes(resource.attributes)['service.name'] }))));
    const named = (service: string, name: string) => metrics.find((metric) => metric.service === service && metric.name === name);
    // Cumulative (2), in seconds, one request each.
    expect(named('orders', 'http.server.request.duration')).toMatchObject({ unit: 's', histogram: { aggregationTemporality: 2 } });
    expect(named('payments', 'http.server.request.duration')?.histogram.dataPoints.map((point) => attributes(point.attributes))).toEqual([
      expect.objectContaining({ 'server.address': '127.0.0.1', 'server.port': '7002', 'http.response.status_code': '503' }),
    ]);
    expect(named('orders', 'http.client.request.duration')?.histogram.dataPoints.map((point) => attributes(point.attributes))).toEqual([
      expect.objectContaining({ 'server.address': '127.0.0.1', 'server.port': '7002', 'http.response.status_code': '503' }),
    ]);
  });

  it('records a call that found no instance as a failed client call to the service: a metric point and an ERROR span naming it, mapped onto it by the intake', async () => {
    posts.splice(0);
    const target = { url, token: () => 'syd_demo', exportIntervalMs: 60_000 };
    const orders = startOtlpInstance(target, { service: 'orders', instance: 'orders-2', address: '127.0.0.1:7011' });
    // payments is down: discovery lists no instance of it.
    const caller = createCaller({ from: () => ({ service: 'orders', instance: 'orders-2' }), endpoints: () => [], stats: orders.stats, random: Math.random, retries: 0, otlp: orders });
    await orders.serve({}, async (parent) => {
      await expect(caller.call('payments', parent)).rejects.toThrow(/no instance available/);
      return 502;
    });
    await orders.shutdown();

    const points = posts
      .filter((post) => post.path === '/v1/metrics')
      .flatMap((post) => decodeMetricsRequest(post.body).resourceMetrics)
      .flatMap(({ scopeMetrics }) => scopeMetrics.flatMap(({ metrics }) => metrics.filter((metric) => metric.name === 'http.client.request.duration')))
      .flatMap((metric) => metric.histogram?.dataPoints ?? []);
    expect(points).toHaveLength(1);
    const point = points[0]?.attributes ?? [];
    expect(attributeText(point, 'server.address')).toBe('payments');
    expect(attributeText(point, 'server.port')).toBeUndefined();
    expect(attributeText(point, 'error.type')).toBe('NoEndpointError');
    expect(points[0]?.count).toBe(1);

    const spans = posts
      .filter((post) => post.path === '/v1/traces')
      .flatMap((post) => decodeTraceRequest(post.body).resourceSpans)
      .flatMap(({ scopeSpans }) => scopeSpans.flatMap(({ spans: list }) => list));
    const server = spans.find((span) => span.kind === KIND.server);
    const client = spans.find((span) => span.kind === KIND.client);
    expect(client).toBeDefined();
    expect(client?.parentSpanId).toBe(server?.spanId);
    expect(client?.status.code).toBe(2); // ERROR
    expect(attributeText(client?.attributes ?? [], 'server.address')).toBe('payments');
    expect(attributeText(client?.attributes ?? [], 'error.type')).toBe('NoEndpointError');

    // The intake's rules: `server.address` naming a registered service (its instances all lost) names it; `error.type` without a status is an error.
    const registry: RegistryLookup = { instanceAt: () => undefined, hasService: (name) => name === 'payments', hasInstance: () => false, isLost: () => true, isDeparted: () => false };
    expect(calleeOf(point, registry)).toEqual({ service: 'payments', external: false });
    expect(isError(point, 'http')).toBe(true);
    expect(client && spanFact(client, { service: 'orders', instance: 'orders-2' }, registry)).toMatchObject({ role: 'client', callee: { service: 'payments', external: false }, error: true });
  });
});
