import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COUNT_DIGITS, instanceInbound } from '../support/call-counts';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { MAX_BODIES_RECEIVING_PER_PRINCIPAL } from '@/lib/server/body-reception';
import { holdOtlpRequests, requestBodiesReach } from '../support/otlp-held';
import { eventually, startServer, type TestServer } from '../support/server';

const SeriesSchema = z.object({ points: z.array(z.object({ rps: z.number(), errorRate: z.number().nullable(), p50Ms: z.number().nullable() })) });
const TopologySchema = z.object({
  nodes: z.array(z.object({ id: z.string(), kind: z.enum(['service', 'database', 'cache', 'queue', 'unknown']) })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), source: z.string(), rps: z.number().optional(), toKind: z.string().optional(), fromKind: z.string().optional() })),
});
const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

let etcd: TestEtcd;
let server: TestServer;
let token: string;

/** Registered services, each used by one test only (tests stay independent of order). */
const ADDRESSES = { gateway: '127.0.0.1:9200', users: '127.0.0.1:9201', worker: '127.0.0.1:9202', payments: '127.0.0.1:9203', checkout: '127.0.0.1:9204', drainee: '127.0.0.1:9205', metered: '127.0.0.1:9206' } as const;
const QUIET_SECONDS = 2;

beforeAll(async () => {
  etcd = await startEtcd();
  for (const [service, address] of Object.entries(ADDRESSES)) await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address }));
  server = await startServer({ etcdEndpoints: etcd.endpoints, env: { SWITCHYARD_DRAIN_QUIET_SECONDS: String(QUIET_SECONDS) } });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  await eventually(async () => ((await (await server.fetch('/api/v1/services')).text()).includes('drainee') ? true : undefined), 10_000, 'registry synced');
  token = await server.createToken({ name: 'fleet', role: 'viewer' });
  // What the README tells a service owner to set; the exporters read these at construction.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = server.url;
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${token}`;
  process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

const peer = (service: keyof typeof ADDRESSES): Attributes => {
  const [host = '', port = ''] = ADDRESSES[service].split(':');
  return { 'server.address': host, 'server.port': Number(port) };
};

/** One service traced with the real SDK, exporting every span as it ends through the OTLP protobuf exporter (gzip). */
function traced(service: string) {
  const inner = new OTLPTraceExporter();
  const results: ExportResult[] = [];
  const exporter: SpanExporter = {
    export: (spans, done) =>
      inner.export(spans, (result) => {
        results.push(result);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush(),
  };
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-sdk` }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    tracer: provider.getTracer('switchyard-test'),
    /** Exports what is pending; rejects unless every export so far was answered 2xx. */
    flush: async () => {
      await provider.forceFlush();
      const failed = results.find((result) => result.code !== 0);
      if (failed || results.length === 0) throw failed?.error ?? new Error('nothing was exported');
    },
    shutdown: () => provider.shutdown(),
  };
}

/** A call from one traced service to another: a client span and its child server span, with chosen durations. */
function call(client: Tracer, server: Tracer, options: { attributes: Attributes; clientMs: number; serverMs: number; error?: boolean }): void {
  const start = Date.now();
  const outgoing = client.startSpan('GET', { kind: SpanKind.CLIENT, startTime: start, attributes: options.attributes }, ROOT_CONTEXT);
  const incoming = server.startSpan('GET', { kind: SpanKind.SERVER, startTime: start + 1, attributes: options.attributes }, trace.setSpan(ROOT_CONTEXT, outgoing));
  if (options.error) incoming.setStatus({ code: SpanStatusCode.ERROR });
  incoming.end(start + 1 + options.serverMs);
  outgoing.end(start + options.clientMs);
}

async function total(path: string): Promise<{ count: number; errors: number; p50: number[] }> {
  const points = SeriesSchema.parse(await (await server.fetch(`${path}${path.includes('?') ? '&' : '?'}window=5m`)).json()).points.filter((p) => p.rps > 0);
  return { count: points.reduce((sum, p) => sum + p.rps, 0), errors: points.reduce((sum, p) => sum + p.rps * (p.errorRate ?? 0), 0), p50: points.map((p) => p.p50Ms ?? Number.NaN) };
}
/** The span pairing's count for one outcome, from `/metrics`. */
const pairing = async (outcome: 'paired' | 'waiting'): Promise<number> => {
  const found = new RegExp(`switchyard_otlp_span_pairing\\{outcome="${outcome}"\\} (\\d+)`).exec(await (await server.fetch('/metrics')).text());
  if (!found) throw new Error(`no span pairing count for ${outcome} on /metrics`);
  return Number(found[1]);
};
const topology = async () => TopologySchema.parse(await (await server.fetch('/api/v1/topology')).json());
const postTraces = (body: string | Uint8Array, headers: Record<string, string>): Promise<Response> =>
  fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]) });

describe('POST /v1/traces with the OpenTelemetry SDK', () => {
  it('traces only (protobuf, gzip): paired spans give the edge its calls, errors and server-side latency, and the callee its series and instance', async () => {
    // Counts from here on: a retry is not met by the first attempt's calls (any of its spans left waiting for their
    // other side are settled first, so none lands after the counts are taken).
    await eventually(async () => ((await pairing('waiting')) === 0 ? true : undefined), 20_000, 'no span waiting');
    const pairedBefore = await pairing('paired');
    const edgeBefore = await total('/api/v1/edges/latency?from=gateway&to=users');
    const usersBefore = (await total('/api/v1/services/users/latency')).count;
    const instanceBefore = await instanceInbound(server, 'users', 'users-1');
    const gateway = traced('gateway');
    const users = traced('users');
    for (let i = 0; i < 10; i += 1) call(gateway.tracer, users.tracer, { attributes: peer('users'), clientMs: 80, serverMs: 30, error: i < 2 });
    await gateway.flush();
    await users.flush();
    await gateway.shutdown();
    await users.shutdown();

    const edge = await eventually(async () => {
      const found = await total('/api/v1/edges/latency?from=gateway&to=users');
      return found.count >= edgeBefore.count + 10 ? found : undefined;
    });
    expect(edge.count - edgeBefore.count).toBeCloseTo(10, COUNT_DIGITS);
    expect(edge.errors - edgeBefore.errors).toBeCloseTo(2, COUNT_DIGITS);
    // The server span's 30 ms (its bucket of the fixed scale, ±4.5 %), not the client's 80.
    for (const p50 of edge.p50) expect(Math.abs(p50 - 30)).toBeLessThan(30 * 0.045);
    expect((await total('/api/v1/services/users/latency')).count - usersBefore).toBeCloseTo(10, COUNT_DIGITS);
    expect((await instanceInbound(server, 'users', 'users-1')) - instanceBefore).toBeCloseTo(10, COUNT_DIGITS);
    expect((await topology()).edges).toContainEqual(expect.objectContaining({ from: 'gateway', to: 'users', source: 'observed' }));
    expect((await pairing('paired')) - pairedBefore).toBeGreaterThanOrEqual(10);
  });

  it("JSON (the SDK's own serializer): producer/consumer spans put a queue node between the services, db spans a database node, in GET /api/v1/topology", async () => {
    const memory = new InMemorySpanExporter();
    const tracerOf = (service: string) => new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('t');
    const kafka = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };
    const produce = tracerOf('gateway').startSpan('orders publish', { kind: SpanKind.PRODUCER, attributes: kafka }, ROOT_CONTEXT);
    produce.end();
    tracerOf('worker').startSpan('orders process', { kind: SpanKind.CONSUMER, attributes: kafka }, trace.setSpan(ROOT_CONTEXT, produce)).end();
    tracerOf('worker').startSpan('SELECT', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'mysql', 'db.name': 'shop', 'server.address': 'mysql-1' } }, ROOT_CONTEXT).end();
    const body = JsonTraceSerializer.serializeRequest(memory.getFinishedSpans());
    if (!body) throw new Error('nothing serialized');
    // OTLP JSON: ids in hex.
    expect(new TextDecoder().decode(body)).toMatch(/"traceId":"[0-9a-f]{32}"/);
    const response = await postTraces(body, { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});

    const graph = await topology();
    expect(graph.nodes.find((n) => n.id === 'kafka:orders')?.kind).toBe('queue');
    expect(graph.nodes.find((n) => n.id === 'mysql:shop')?.kind).toBe('database');
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: 'gateway', to: 'kafka:orders', toKind: 'queue' }),
        expect.objectContaining({ from: 'kafka:orders', to: 'worker', fromKind: 'queue' }),
        expect.objectContaining({ from: 'worker', to: 'mysql:shop', toKind: 'database' }),
      ]),
    );
    const diagnostics = z.object({ externalNodes: z.object({ nodes: z.number(), refused: z.number(), cap: z.number() }) }).parse(await (await server.fetch('/api/v1/diagnostics')).json());
    expect(diagnostics.externalNodes.nodes).toBeGreaterThanOrEqual(2);
    expect(await (await server.fetch('/metrics')).text()).toMatch(/switchyard_otlp_external_nodes [1-9]\d*/);
    const viewer = await server.userSession('diagnostics-viewer', 'viewer');
    const page = await (await server.fetch('/diagnostics', { headers: { cookie: viewer } })).text();
    expect(page).toMatch(/<dt>External nodes<\/dt><dd>[1-9]\d*<\/dd>/);
    expect(page).toContain('<dt>External nodes refused</dt>');
  });

  it('metrics and traces together: each call counts once on the edge, the service and the instance', async () => {
    const edgeBefore = (await total('/api/v1/edges/latency?from=checkout&to=payments')).count;
    const paymentsBefore = (await total('/api/v1/services/payments/latency')).count;
    const instanceBefore = await instanceInbound(server, 'payments', 'payments-1');
    const resource = (service: string) => resourceFromAttributes({ 'service.name': service });
    const meters = ['payments', 'checkout'].map((service) => {
      const provider = new MeterProvider({
        resource: resource(service),
        readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ temporalityPreference: AggregationTemporality.DELTA }), exportIntervalMillis: 3_600_000 })],
      });
      return { provider, meter: provider.getMeter('t') };
    });
    const [payments, checkout] = meters as [(typeof meters)[number], (typeof meters)[number]];
    const serverSide = payments.meter.createHistogram('rpc.server.call.duration', { unit: 's' });
    const clientSide = checkout.meter.createHistogram('rpc.client.call.duration', { unit: 's' });
    for (let i = 0; i < 5; i += 1) {
      serverSide.record(0.02, { 'rpc.system.name': 'grpc', 'rpc.method': 'shop.Payments/Charge', ...peer('payments') });
      clientSide.record(0.03, { 'rpc.system.name': 'grpc', 'rpc.method': 'shop.Payments/Charge', ...peer('payments') });
    }
    for (const { provider } of meters) await provider.forceFlush();
    await eventually(async () => ((await total('/api/v1/edges/latency?from=checkout&to=payments')).count >= edgeBefore + 5 ? true : undefined));

    // The same five calls, traced too.
    const checkoutTraces = traced('checkout');
    const paymentsTraces = traced('payments');
    for (let i = 0; i < 5; i += 1) call(checkoutTraces.tracer, paymentsTraces.tracer, { attributes: { 'rpc.system.name': 'grpc', ...peer('payments') }, clientMs: 30, serverMs: 20 });
    await checkoutTraces.flush();
    await paymentsTraces.flush();
    await Promise.all([checkoutTraces.shutdown(), paymentsTraces.shutdown(), ...meters.map(({ provider }) => provider.shutdown())]);

    expect((await total('/api/v1/edges/latency?from=checkout&to=payments')).count - edgeBefore).toBeCloseTo(5, COUNT_DIGITS);
    expect((await total('/api/v1/services/payments/latency')).count - paymentsBefore).toBeCloseTo(5, COUNT_DIGITS);
    expect((await instanceInbound(server, 'payments', 'payments-1')) - instanceBefore).toBeCloseTo(5, COUNT_DIGITS);
  });

  /** Drains `service`-1 and checks it goes draining while `serve` keeps calls coming, then drained once they stop. */
  async function drainsWhenIdle(service: keyof typeof ADDRESSES, serve: () => Promise<void>, stop: () => Promise<void>): Promise<void> {
    await serve();
    const operator = await server.userSession(`${service}-operator`, 'operator');
    const drainUrl = `/api/v1/services/${service}/instances/${service}-1/drain`;
    // Undrained first, whatever it answers: a retry starts where a failed first attempt left the instance.
    await server.fetch(drainUrl, { method: 'DELETE', headers: { cookie: operator, origin: server.url } });
    const drained = await server.fetch(drainUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: operator, origin: server.url },
      body: JSON.stringify({ reason: 'deploy', force: true }),
    });
    expect(drained.status).toBe(200);
    const drainState = async (): Promise<string | undefined> => {
      const body = z.object({ instances: z.array(z.object({ id: z.string(), drainState: z.string().optional() })) }).parse(await (await server.fetch(`/api/v1/services/${service}`)).json());
      return body.instances.find((i) => i.id === `${service}-1`)?.drainState;
    };
    // Calls keep arriving: the monitor (every 2 s) says draining.
    expect(
      await eventually(async () => {
        await serve();
        return await drainState();
      }, 10_000, 'a drain verdict'),
    ).toBe('draining');
    await stop();
    await eventually(async () => ((await drainState()) === 'drained' ? true : undefined), 15_000, 'drained');
  }

  it('drain: an instance whose only reported traffic is OTLP server spans goes draining → drained once they stop', async () => {
    const drainee = traced('drainee');
    const serve = async (): Promise<void> => {
      drainee.tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: peer('drainee') }, ROOT_CONTEXT).end();
      await drainee.flush();
    };
    await drainsWhenIdle('drainee', serve, () => drainee.shutdown());
  });

  it('drain: the same from OTLP server duration metrics alone', async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'metered', 'service.instance.id': 'metered-sdk' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ temporalityPreference: AggregationTemporality.DELTA }), exportIntervalMillis: 3_600_000 })],
    });
    const served = provider.getMeter('t').createHistogram('http.server.request.duration', { unit: 's' });
    const serve = async (): Promise<void> => {
      served.record(0.01, { 'http.response.status_code': 200, ...peer('metered') });
      await provider.forceFlush();
    };
    await drainsWhenIdle('metered', serve, () => provider.shutdown());
  });
});

describe('POST /v1/traces refusals', () => {
  const span = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', kind: 2, startTimeUnixNano: `${Date.now() - 5}000000`, endTimeUnixNano: `${Date.now()}000000` };
  const request = (resourceAttributes: object[], spans: object[] = [span]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ spans }] }] });

  it('answers partial_success with the reason for spans it refuses, gzip or not', async () => {
    const refused = await postTraces(request([]), { 'content-type': 'application/json' });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: expect.stringContaining('service.name') } });
    const accepted = await postTraces(gzipSync(request([{ key: 'service.name', value: { stringValue: 'gateway' } }])), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(await accepted.json()).toEqual({});
  });

  it('refuses bad bodies with 400 and the reason, and keeps serving', async () => {
    const badJson = await postTraces('{"resourceSpans":', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(ErrorSchema.parse(await badJson.json()).error.message).toMatch(/not valid JSON/);
    const badId = await postTraces(request([], [{ ...span, traceId: 'not-hex' }]), { 'content-type': 'application/json' });
    expect(badId.status).toBe(400);
    expect(ErrorSchema.parse(await badId.json()).error.message).toMatch(/traceId: expected 16 bytes as hex/);
    const badProto = await postTraces(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(badProto.status).toBe(400);
    expect(ErrorSchema.parse(await badProto.json()).error.message).toMatch(/not a protobuf ExportTraceServiceRequest/);
    const badGzip = await postTraces('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect((await server.fetch('/readyz')).status).toBe(200);
  });

  it('refuses a missing or wrong token with 401 and a token scoped to another service with 403', async () => {
    const body = request([{ key: 'service.name', value: { stringValue: 'gateway' } }]);
    expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    expect((await postTraces(body, { 'content-type': 'application/json', authorization: 'Bearer not-a-token' })).status).toBe(401);
    const scoped = await server.createToken({ name: 'users-only', role: 'viewer', service: 'users' });
    expect((await postTraces(body, { 'content-type': 'application/json', authorization: `Bearer ${scoped}` })).status).toBe(403);
  });

  it("answers a token past its share of bodies arriving (shared with /v1/metrics and ingest) with 429 and Retry-After, counts it on Diagnostics, and serves again once they go", async () => {
    const held = holdOtlpRequests(server.url, '/v1/metrics', token, MAX_BODIES_RECEIVING_PER_PRINCIPAL);
    try {
      await requestBodiesReach(server, { receiving: MAX_BODIES_RECEIVING_PER_PRINCIPAL });
      const refused = await postTraces('{}', { 'content-type': 'application/json' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Counted where an operator looks for why exporters are being refused.
      const diagnostics = z
        .object({ requestBodies: z.object({ held: z.number(), receiving: z.number(), refusedPrincipal: z.number() }) })
        .parse(await (await server.fetch('/api/v1/diagnostics')).json());
      expect(diagnostics.requestBodies).toMatchObject({ held: MAX_BODIES_RECEIVING_PER_PRINCIPAL, receiving: MAX_BODIES_RECEIVING_PER_PRINCIPAL });
      expect(diagnostics.requestBodies.refusedPrincipal).toBeGreaterThanOrEqual(1);
      const page = await (await server.fetch('/diagnostics', { headers: { cookie: await server.userSession('diagnostics-viewer', 'viewer') } })).text();
      expect(page).toMatch(/<dt>Request bodies refused<\/dt><dd>[1-9]\d*<\/dd>/);
    } finally {
      held.release();
    }
    await requestBodiesReach(server, { held: 0 });
    expect((await postTraces('{}', { 'content-type': 'application/json' })).status).toBe(200);
  });
});
