import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { diag, DiagLogLevel, type Attributes } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { MAX_BODIES_RECEIVING_PER_PRINCIPAL } from '@/lib/server/body-reception';
import { holdOtlpRequests, otlpRequestsNow, requestBodiesReach } from '../support/otlp-held';
import { perAttempt } from '../support/names';
import { COUNT_DIGITS, instanceInbound } from '../support/call-counts';
import { eventually, startServer, type TestServer } from '../support/server';

const PointSchema = z.object({ t: z.number(), p50Ms: z.number().nullable(), p99Ms: z.number().nullable(), rps: z.number(), errorRate: z.number().nullable() });
const SeriesSchema = z.object({ points: z.array(PointSchema) });
const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

let etcd: TestEtcd;
let server: TestServer;
let reporterToken: string;

/** Registered callees, each used by one test only (tests stay independent of order). */
const ADDRESSES = { users: '127.0.0.1:9101', orders: '127.0.0.1:9102', payments: '127.0.0.1:9103', shipping: '127.0.0.1:9105', inventory: '127.0.0.1:9104' } as const;

beforeAll(async () => {
  etcd = await startEtcd();
  for (const [service, address] of Object.entries(ADDRESSES)) await etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address }));
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
  await eventually(async () => ((await (await server.fetch('/api/v1/services')).text()).includes('inventory') ? true : undefined), 10_000, 'registry synced');
  reporterToken = await server.createToken({ name: 'fleet', role: 'viewer' });
  // What the README tells a service owner to set; the exporters read these at construction.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = server.url;
  process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${reporterToken}`;
  process.env.OTEL_EXPORTER_OTLP_COMPRESSION = 'gzip';
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

interface MemberOptions {
  service: string;
  instance: string;
  encoding: 'proto' | 'json';
  temporality: 'cumulative' | 'delta';
  exponential?: boolean;
}

/** One service of the fleet, instrumented with the real SDK; exports when flushed (the period is out of the way). */
function fleetMember(options: MemberOptions) {
  const temporalityPreference = options.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE;
  const inner = options.encoding === 'proto' ? new ProtoMetricExporter({ temporalityPreference }) : new JsonMetricExporter({ temporalityPreference });
  // The reader reports a failed export only to the global error handler: keep each result to check it.
  const results: { code: number; error?: Error }[] = [];
  const exporter: PushMetricExporter = {
    export: (metrics, done) =>
      inner.export(metrics, (result) => {
        results.push(result);
        done(result);
      }),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
    selectAggregationTemporality: (kind) => inner.selectAggregationTemporality(kind),
  };
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': options.service, 'service.instance.id': options.instance }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: 20_000 })],
    views: options.exponential ? [{ instrumentName: '*', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }] : [],
  });
  const meter = provider.getMeter('switchyard-test');
  return {
    /** A histogram with buckets in its unit, these `boundaries` if given, or (`advised` false) the SDK's default ones, meant for ms. */
    histogram: (name: string, unit: 's' | 'ms', advised = true, boundaries?: number[]) => {
      const advice = advised ? { explicitBucketBoundaries: boundaries ?? (unit === 's' ? [0.005, 0.01, 0.05, 0.1, 0.5, 1] : [5, 10, 50, 100, 500, 1000]) } : {};
      const histogram = meter.createHistogram(name, { unit, advice });
      return (times: number, value: number, attributes: Attributes) => {
        for (let i = 0; i < times; i += 1) histogram.record(value, attributes);
      };
    },
    /** Exports now; rejects unless the dashboard answered 2xx. */
    flush: async () => {
      const before = results.length;
      await provider.forceFlush();
      const result = results[before];
      if (result?.code !== 0) throw result?.error ?? new Error('nothing was exported');
    },
    shutdown: () => provider.shutdown(),
  };
}

interface SeriesReading {
  count: number;
  errors: number;
  /** Calls per point, by its time: what a later reading's new points are told apart by. */
  rpsAt: Map<number, number>;
  /** p50 and p99 of the points with calls; with `since`, only of those whose calls grew after it (the points this attempt fed, not an earlier test's or attempt's). */
  p50: number[];
  p99: number[];
  negative: boolean;
}

async function series(path: string, since?: SeriesReading): Promise<SeriesReading> {
  const body = SeriesSchema.parse(await (await server.fetch(`${path}?window=5m`)).json());
  const points = body.points.filter((p) => p.rps !== 0);
  const grown = since ? points.filter((p) => p.rps > (since.rpsAt.get(p.t) ?? 0)) : points;
  return {
    count: points.reduce((sum, p) => sum + p.rps, 0),
    errors: points.reduce((sum, p) => sum + p.rps * (p.errorRate ?? 0), 0),
    rpsAt: new Map(points.map((p) => [p.t, p.rps])),
    p50: grown.map((p) => p.p50Ms ?? Number.NaN),
    p99: grown.map((p) => p.p99Ms ?? Number.NaN),
    negative: body.points.some((p) => p.rps < 0),
  };
}

/** Calls, and of those errors, on the edge from → to over the last 5 min. */
async function edgeTotals(from: string, to: string): Promise<{ calls: number; errors: number }> {
  const edge = SeriesSchema.parse(await (await server.fetch(`/api/v1/edges/latency?from=${from}&to=${to}&window=5m`)).json());
  return { calls: edge.points.reduce((sum, p) => sum + p.rps, 0), errors: edge.points.reduce((sum, p) => sum + p.rps * (p.errorRate ?? 0), 0) };
}

const edgeCalls = async (from: string, to: string): Promise<number> => (await edgeTotals(from, to)).calls;

const postRaw = (body: string | Buffer, headers: Record<string, string>): Promise<Response> =>
  fetch(`${server.url}/v1/metrics`, { method: 'POST', headers: { authorization: `Bearer ${reporterToken}`, ...headers }, body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]) });

/** A request encoded with protobufjs from the vendored opentelemetry-proto, for bodies no SDK would write. */
function metricsProtobuf(request: object): Buffer {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(import.meta.dirname, '../../lib/server/otlp/proto', target);
  const type = root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto').lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

describe('POST /v1/metrics with the OpenTelemetry SDK exporters', () => {
  it('cumulative explicit histograms, current names, protobuf: the first export counts nothing, the next its increase', async () => {
    // Streams of their own per attempt, and counts from here on: a retry is not met by the first attempt's streams and calls.
    const usersBefore = await series('/api/v1/services/users/latency');
    const edgeBefore = await edgeCalls('gateway', 'users');
    const instanceBefore = await instanceInbound(server, 'users', 'users-1');
    const gateway = fleetMember({ service: 'gateway', instance: perAttempt('gw'), encoding: 'proto', temporality: 'cumulative' });
    const record = gateway.histogram('http.client.request.duration', 's');
    const [host, port] = ADDRESSES.users.split(':');
    const ok = { 'server.address': host ?? '', 'server.port': Number(port), 'http.response.status_code': 200 };
    // Each attribute set is a stream: both are seen once before the interval that counts.
    record(10, 0.003, ok);
    record(1, 0.003, { ...ok, 'http.response.status_code': 503 });
    await gateway.flush();
    record(90, 0.02, ok);
    record(10, 0.7, { ...ok, 'http.response.status_code': 503 });
    await gateway.flush();
    await gateway.shutdown();

    const users = await eventually(async () => {
      const found = await series('/api/v1/services/users/latency', usersBefore);
      return found.count > usersBefore.count ? found : undefined;
    });
    expect(users.count - usersBefore.count).toBeCloseTo(100, COUNT_DIGITS);
    expect((users.errors - usersBefore.errors) / (users.count - usersBefore.count)).toBeCloseTo(0.1, COUNT_DIGITS);
    // 90 % in (10, 50] ms, 10 % in (500, 1000] ms.
    expect(users.p50.length).toBeGreaterThan(0);
    for (const p50 of users.p50) expect(p50).toSatisfy((v: number) => v >= 10 && v <= 50);
    for (const p99 of users.p99) expect(p99).toSatisfy((v: number) => v >= 500 && v <= 1_000);
    // The address named the registered instance, and the edge is the reporter's.
    expect((await edgeCalls('gateway', 'users')) - edgeBefore).toBeCloseTo(100, COUNT_DIGITS);
    expect((await instanceInbound(server, 'users', 'users-1')) - instanceBefore).toBeCloseTo(100, COUNT_DIGITS);
  });

  it("a caller's new stream of 5xx counts at the first export that carries it: the failing edge shows its errors at once", async () => {
    const before = await edgeTotals('gateway', 'shipping');
    const gateway = fleetMember({ service: 'gateway', instance: perAttempt('gw'), encoding: 'proto', temporality: 'cumulative' });
    const record = gateway.histogram('http.client.request.duration', 's');
    const [host, port] = ADDRESSES.shipping.split(':');
    const ok = { 'server.address': host ?? '', 'server.port': Number(port), 'http.response.status_code': 200 };
    record(20, 0.01, ok);
    await gateway.flush();
    // The SDK stamps a new stream's start with its first call's Date.now() and each point's time with the collection's,
    // in whole ms: the calls fail once the clock has left the ms the last export was collected in, and are exported
    // once it has left theirs (a start equal to the point's time is the data model's unknown start).
    const flushed = Date.now();
    await eventually(() => (Date.now() > flushed ? true : undefined));
    record(5, 0.5, { ...ok, 'http.response.status_code': 503 });
    record(20, 0.01, ok);
    const failedBy = Date.now();
    await eventually(() => (Date.now() > failedBy ? true : undefined));
    await gateway.flush();

    // Read right after that export: no later one is needed to see its errors.
    const after = await edgeTotals('gateway', 'shipping');
    expect(after.errors - before.errors).toBeCloseTo(5, COUNT_DIGITS);
    expect(after.calls - before.calls).toBeCloseTo(25, COUNT_DIGITS);
    await gateway.shutdown();
  });

  it('delta exponential histograms, previous names in ms, JSON: counts, RPC errors and percentiles', async () => {
    const ordersBefore = await series('/api/v1/services/orders/latency');
    const checkout = fleetMember({ service: 'checkout', instance: perAttempt('co'), encoding: 'json', temporality: 'delta', exponential: true });
    const record = checkout.histogram('rpc.client.duration', 'ms');
    record(50, 20, { 'rpc.system': 'grpc', 'rpc.service': 'shop.v1.Orders', 'rpc.method': 'Place', 'rpc.grpc.status_code': 0 });
    record(50, 300, { 'rpc.system': 'grpc', 'rpc.service': 'shop.v1.Orders', 'rpc.method': 'Place', 'rpc.grpc.status_code': 14 });
    await checkout.flush();
    await checkout.shutdown();

    const orders = await eventually(async () => {
      const found = await series('/api/v1/services/orders/latency', ordersBefore);
      return found.count > ordersBefore.count ? found : undefined;
    });
    expect(orders.count - ordersBefore.count).toBeCloseTo(100, COUNT_DIGITS);
    expect((orders.errors - ordersBefore.errors) / (orders.count - ordersBefore.count)).toBeCloseTo(0.5, COUNT_DIGITS);
    expect(orders.p50.length).toBeGreaterThan(0);
    for (const p50 of orders.p50) expect(p50).toSatisfy((v: number) => v >= 18 && v <= 22);
    for (const p99 of orders.p99) expect(p99).toSatisfy((v: number) => v >= 270 && v <= 330);
  });

  it("server metrics feed the reporter's own series; a caller's client metrics then feed only the edge", async () => {
    const edgeBefore = await edgeCalls('gateway', 'payments');
    const paymentsBefore = (await series('/api/v1/services/payments/latency')).count;
    const payments = fleetMember({ service: 'payments', instance: 'payments-1', encoding: 'proto', temporality: 'delta' });
    payments.histogram('rpc.server.call.duration', 's')(20, 0.05, { 'rpc.system.name': 'grpc', 'rpc.method': 'shop.Payments/Charge', 'rpc.response.status_code': 'OK' });
    await payments.flush();
    await payments.shutdown();
    const gateway = fleetMember({ service: 'gateway', instance: perAttempt('gw'), encoding: 'proto', temporality: 'delta' });
    gateway.histogram('rpc.client.call.duration', 's')(20, 0.06, { 'rpc.system.name': 'grpc', 'rpc.method': 'shop.Payments/Charge', 'service.peer.name': 'payments' });
    await gateway.flush();
    await gateway.shutdown();

    expect((await edgeCalls('gateway', 'payments')) - edgeBefore).toBeCloseTo(20, COUNT_DIGITS);
    expect((await series('/api/v1/services/payments/latency')).count - paymentsBefore).toBeCloseTo(20, COUNT_DIGITS);
  });

  it('a restarted exporter (a counter reset) is counted once: no negative and no doubled counts', async () => {
    const [host, port] = ADDRESSES.inventory.split(':');
    const attributes = { 'server.address': host ?? '', 'server.port': Number(port), 'http.response.status_code': 200 };
    // A stream of its own per attempt, and counts from here on: a retry is not met by the first attempt's stream and calls.
    const instance = perAttempt('shop');
    const countedBefore = (await series('/api/v1/services/inventory/latency')).count;
    const before = fleetMember({ service: 'shop', instance, encoding: 'proto', temporality: 'cumulative' });
    const recordBefore = before.histogram('http.client.duration', 'ms');
    recordBefore(5, 20, attributes);
    await before.flush();
    recordBefore(10, 20, attributes);
    await before.flush();
    await before.shutdown();

    const after = fleetMember({ service: 'shop', instance, encoding: 'proto', temporality: 'cumulative' });
    const recordAfter = after.histogram('http.client.duration', 'ms');
    recordAfter(7, 20, attributes);
    // The SDK stamps a stream's start (its first measurement) and each point's time with Date.now(), in whole ms.
    // A start in the point's own ms is not known to be before it, so the reset would count nothing: export once the
    // clock has passed the ms the measurements ended in (they may have crossed into the next one).
    const recordedBy = Date.now();
    await eventually(() => (Date.now() > recordedBy ? true : undefined));
    await after.flush();
    recordAfter(3, 20, attributes);
    await after.flush();
    await after.shutdown();

    const inventory = await series('/api/v1/services/inventory/latency');
    expect(inventory.negative).toBe(false);
    // 10 from the first process (its first export counted nothing), 7 + 3 from the second.
    expect(inventory.count - countedBefore).toBeCloseTo(20, COUNT_DIGITS);
  });
});

describe('duration histograms with buckets in the other unit', () => {
  it("lists a seconds histogram sent with the SDK's default buckets on GET /api/v1/diagnostics and the Diagnostics page, with what its bounds give", async () => {
    const service = perAttempt('ledger');
    const ledger = fleetMember({ service, instance: `${service}-1`, encoding: 'proto', temporality: 'delta' });
    const record = ledger.histogram('http.server.request.duration', 's', false);
    record(20, 0.03, { 'http.response.status_code': 200 });
    await ledger.flush();
    await ledger.shutdown();

    const Listed = z.object({
      otlpBucketsInOtherUnit: z.object({
        histograms: z.array(z.object({ service: z.string(), metric: z.string(), unit: z.string(), smallestPositiveBound: z.number(), largestBound: z.number(), points: z.number() })),
        cap: z.number(),
        unlistedPoints: z.number(),
      }),
    });
    const diagnostics = Listed.parse(await (await server.fetch('/api/v1/diagnostics')).json()).otlpBucketsInOtherUnit;
    expect(diagnostics.histograms.filter((histogram) => histogram.service === service)).toEqual([
      { service, metric: 'http.server.request.duration', unit: 's', smallestPositiveBound: 5, largestBound: 10_000, points: 1 },
    ]);
    expect(diagnostics).toMatchObject({ cap: 1_000, unlistedPoints: 0 });
    const page = await (await server.fetch('/diagnostics', { headers: { cookie: await server.userSession('diagnostics-viewer', 'viewer') } })).text();
    expect(page).toContain('Buckets in wrong unit');
    expect(page).toContain(service);
    expect(page).toContain('every call under 5 s shares the first, so p50 reads 2.5 s, p99 4.95 s');
  });
});

describe('duration histograms with bounds no duration has', () => {
  it('refuses a point the SDK sends with a repeated bound, telling the SDK why (partial_success), counted on GET /api/v1/diagnostics and the Diagnostics page, and reads calls of 0 s in bounds [-5, -1, 0, 0.1, 1] as ~0 ms', async () => {
    const repeated = perAttempt('vault');
    const vault = fleetMember({ service: repeated, instance: `${repeated}-1`, encoding: 'json', temporality: 'delta' });
    vault.histogram('http.server.request.duration', 's', true, [0.1, 0.1, 1])(5, 0.05, { 'http.response.status_code': 200 });
    // The SDK's exporter hands the response's partial_success to its diagnostic logger, as a user of it sees it.
    const warnings: string[] = [];
    diag.setLogger({ error: () => undefined, warn: (...parts: unknown[]) => warnings.push(parts.map(String).join(' ')), info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    try {
      await vault.flush();
    } finally {
      diag.disable();
    }
    await vault.shutdown();
    const partial = warnings.find((line) => line.startsWith('Received Partial Success response:'));
    expect(JSON.parse(partial?.slice('Received Partial Success response:'.length) ?? 'null')).toEqual({
      rejectedDataPoints: '1',
      errorMessage: 'http.server.request.duration: explicitBounds are not strictly increasing (0.1 then 0.1)',
    });
    const Malformed = z.object({ otlpMalformedHistograms: z.object({ points: z.number(), last: z.object({ service: z.string(), metric: z.string(), reason: z.string() }) }) });
    const { otlpMalformedHistograms } = Malformed.parse(await (await server.fetch('/api/v1/diagnostics')).json());
    expect(otlpMalformedHistograms.points).toBeGreaterThanOrEqual(1);
    expect(otlpMalformedHistograms.last).toEqual({ service: repeated, metric: 'http.server.request.duration', reason: 'explicitBounds are not strictly increasing (0.1 then 0.1)' });
    expect((await series(`/api/v1/services/${repeated}/latency`)).count).toBe(0);
    const page = await (await server.fetch('/diagnostics', { headers: { cookie: await server.userSession('diagnostics-viewer', 'viewer') } })).text();
    expect(page).toContain('Histograms refused');
    expect(page).toContain(`Last: ${repeated}, http.server.request.duration: explicitBounds are not strictly increasing (0.1 then 0.1)`);

    const signed = perAttempt('ledger-signed');
    const ledger = fleetMember({ service: signed, instance: `${signed}-1`, encoding: 'proto', temporality: 'delta' });
    const record = ledger.histogram('http.server.request.duration', 's', true, [-5, -1, 0, 0.1, 1]);
    record(60, 0, { 'http.response.status_code': 200 });
    record(40, 0.05, { 'http.response.status_code': 200 });
    await ledger.flush();
    await ledger.shutdown();
    const read = await eventually(async () => {
      const found = await series(`/api/v1/services/${signed}/latency`);
      return found.count > 99.9 ? found : undefined;
    }, 10_000, 'the 100 calls charted');
    // 60 of 100 calls took 0 s: every point's median is one of them; before, they read within (0, 100 ms].
    expect(read.p50.every((ms) => ms < 0.01)).toBe(true);
  });
});

describe('POST /v1/metrics refusals', () => {
  const jsonRequest = (attributes: object[], resource: object[] = [{ key: 'service.name', value: { stringValue: 'probe' } }]) =>
    JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: resource },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'http.client.request.duration',
                  unit: 's',
                  futureField: { ignored: true },
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [{ attributes, startTimeUnixNano: `${Date.now() - 5_000}000000`, timeUnixNano: `${Date.now()}000000`, count: '1', explicitBounds: [0.1], bucketCounts: ['1', '0'] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

  it('answers partial_success for points it refuses, in the request encoding, gzip or not', async () => {
    const refused = await postRaw(jsonRequest([]), { 'content-type': 'application/json' });
    expect(refused.status).toBe(200);
    // An answer to a program: a deny-all policy, no page nonce.
    expect(refused.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await refused.json()).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: expect.stringContaining('names no callee') } });
    const accepted = await postRaw(gzipSync(jsonRequest([{ key: 'peer.service', value: { stringValue: 'users' } }])), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({});
    // The reply's length in its head (one write, not a chunked reply): an accepted protobuf export's is the head alone.
    expect(accepted.headers.get('content-length')).toBe('2');
    const empty = await postRaw(Buffer.alloc(0), { 'content-type': 'application/x-protobuf' });
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-length')).toBe('0');
    expect(empty.headers.get('transfer-encoding')).toBeNull();
  });

  it('refuses bad bodies with 400 and the reason, other types with 415, a gzip bomb with 413, and keeps serving', async () => {
    const badJson = await postRaw('{"resourceMetrics":', { 'content-type': 'application/json' });
    expect(badJson.status).toBe(400);
    expect(ErrorSchema.parse(await badJson.json()).error.message).toMatch(/not valid JSON/);
    const badShape = await postRaw('{"resourceMetrics":[{"scopeMetrics":"no"}]}', { 'content-type': 'application/json' });
    expect(badShape.status).toBe(400);
    expect(ErrorSchema.parse(await badShape.json()).error.message).toMatch(/resourceMetrics\.0\.scopeMetrics/);
    const badProto = await postRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(badProto.status).toBe(400);
    expect(ErrorSchema.parse(await badProto.json()).error.message).toMatch(/not a protobuf ExportMetricsServiceRequest/);
    const attributes = Array.from({ length: 129 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
    const overBound = await postRaw(metricsProtobuf({ resourceMetrics: [{ resource: { attributes } }] }), { 'content-type': 'application/x-protobuf' });
    expect(overBound.status).toBe(400);
    expect(ErrorSchema.parse(await overBound.json()).error.message).toBe('not an OTLP ExportMetricsServiceRequest: attributes: more than 128');
    const badGzip = await postRaw(Buffer.from('not gzip'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect((await postRaw('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    const bomb = await postRaw(gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    expect((await server.fetch('/readyz')).status).toBe(200);
  });

  it('refuses a missing or wrong token with 401 and a token scoped to another service with 403', async () => {
    const body = jsonRequest([]);
    const none = await fetch(`${server.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(401);
    expect((await postRaw(body, { 'content-type': 'application/json', authorization: 'Bearer not-a-token' })).status).toBe(401);
    const scoped = await server.createToken({ name: 'gateway-only', role: 'viewer', service: 'gateway' });
    expect((await postRaw(body, { 'content-type': 'application/json', authorization: `Bearer ${scoped}` })).status).toBe(403);
  });

  it("tells a scoped token's sender the service.name its export carried, or that it carried none", async () => {
    const scoped = await server.createToken({ name: 'orders-only', role: 'viewer', service: 'orders' });
    // What Node's MeterProvider sends when it is given no resource: the SDK's default name, not OTEL_SERVICE_NAME.
    const defaultName = await postRaw(jsonRequest([], [{ key: 'service.name', value: { stringValue: 'unknown_service:node' } }]), { 'content-type': 'application/json', authorization: `Bearer ${scoped}` });
    expect(defaultName.status).toBe(403);
    expect((ErrorSchema.parse(await defaultName.json())).error.message).toBe('this token may only report for service orders; this export\'s resource service.name is "unknown_service:node"');
    const unnamed = await postRaw(jsonRequest([], []), { 'content-type': 'application/json', authorization: `Bearer ${scoped}` });
    expect(unnamed.status).toBe(403);
    expect((ErrorSchema.parse(await unnamed.json())).error.message).toBe("this token may only report for service orders; this export's resource has no service.name");
  });

  it("answers a token past its share of bodies arriving with 429 and Retry-After, takes another token's export meanwhile, and serves again once they go", async () => {
    const holders = holdOtlpRequests(server.url, '/v1/metrics', reporterToken, MAX_BODIES_RECEIVING_PER_PRINCIPAL);
    const other = await server.createToken({ name: 'other-fleet', role: 'viewer' });
    try {
      await requestBodiesReach(server, { receiving: MAX_BODIES_RECEIVING_PER_PRINCIPAL });
      // Bodies still arriving hold no place of the intake's: processing places are taken once a body is whole.
      expect(await otlpRequestsNow(server)).toEqual({ inFlight: 0, waiting: 0 });
      const taken = await postRaw(jsonRequest([{ key: 'peer.service', value: { stringValue: 'users' } }]), { 'content-type': 'application/json', authorization: `Bearer ${other}` });
      expect(taken.status).toBe(200);
      const refused = await postRaw('{}', { 'content-type': 'application/json' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(ErrorSchema.parse(await refused.json()).error.code).toBe('overloaded');
    } finally {
      holders.release();
    }
    await requestBodiesReach(server, { held: 0 });
    expect((await postRaw('{}', { 'content-type': 'application/json' })).status).toBe(200);
  });
});
