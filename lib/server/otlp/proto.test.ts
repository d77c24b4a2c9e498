import path from 'node:path';
import protobuf from 'protobufjs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonMetricsSerializer, JsonTraceSerializer, ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ExportMetricsRequestSchema, MAX_ATTRIBUTES } from '@/lib/model/otlp/schema';
import { ExportTraceRequestSchema } from '@/lib/model/otlp/trace-schema';
import { decodeMetricsRequest, decodeTraceRequest, encodePartialResponse, partialResponseJson } from './proto';
import { OtlpBoundError } from './proto-messages';

/** The vendored definitions, loaded independently to encode what an exporter would send. */
function vendoredRoot(file = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto'): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(import.meta.dirname, 'proto', target);
  return root.loadSync(file);
}

/** A reader collected by hand, as the periodic exporting reader does on its timer. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const resource = resourceFromAttributes({ 'service.name': 'gateway', 'service.instance.id': 'gateway-1' });

/** One collection of the real SDK: an explicit-bucket HTTP histogram and an exponential RPC one, with attributes of every scalar type and an array. */
async function sdkMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader();
  const views = [{ instrumentName: 'rpc.client.call.duration', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }];
  const meters = new MeterProvider({ resource, readers: [reader], views });
  const meter = meters.getMeter('proto-test', '1.0.0');
  const http = meter.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.005, 0.01, 0.1] } });
  const rpc = meter.createHistogram('rpc.client.call.duration', { unit: 's' });
  for (const seconds of [0.003, 0.02, 0.2, 0.004]) {
    http.record(seconds, { 'http.route': '/pay', 'http.response.status_code': 503, 'tls.used': true, 'sample.ratio': 0.25, tags: ['a', 'b'] });
    rpc.record(seconds, { 'rpc.service': 'payments.Payments', 'rpc.grpc.status_code': 0 });
  }
  const { resourceMetrics } = await reader.collect();
  await meters.shutdown();
  return resourceMetrics;
}

/** A client span and the server span it parents, as the SDK records them, with nanosecond times. */
function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('proto-test');
  const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT, startTime: [1_800_000_000, 0], attributes: { 'server.address': 'payments', 'server.port': 8080 } });
  const server = tracer.startSpan('GET /pay', { kind: SpanKind.SERVER, startTime: [1_800_000_000, 1_000] }, trace.setSpan(ROOT_CONTEXT, client));
  server.end([1_800_000_000, 100_000_000]);
  client.setStatus({ code: SpanStatusCode.ERROR });
  client.end([1_800_000_000, 123_456_789]);
  return exporter.getFinishedSpans();
}

describe('OTLP protobuf', () => {
  it('reads the SDK’s protobuf metrics exactly as the JSON schema reads the SDK’s OTLP JSON of the same export', async () => {
    const resourceMetrics = await sdkMetrics();
    const protobufBody = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
    const jsonBody = JsonMetricsSerializer.serializeRequest(resourceMetrics);
    if (!protobufBody || !jsonBody) throw new Error('the SDK serialised nothing');
    const fromJson = ExportMetricsRequestSchema.parse(JSON.parse(new TextDecoder().decode(jsonBody)));
    const fromProtobuf = decodeMetricsRequest(protobufBody);
    expect(fromProtobuf).toEqual(fromJson);
    // Both kinds of histogram and every scalar attribute type came through, not an empty request.
    const metrics = fromProtobuf.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
    expect(metrics.map((m) => [m.name, m.histogram ? 'explicit' : m.exponentialHistogram ? 'exponential' : 'other'])).toContainEqual(
      ['http.server.request.duration', 'explicit'],
    );
    expect(metrics.map((m) => [m.name, m.histogram ? 'explicit' : m.exponentialHistogram ? 'exponential' : 'other'])).toContainEqual(['rpc.client.call.duration', 'exponential']);
    expect(metrics.find((m) => m.histogram)?.histogram?.dataPoints[0]?.attributes.map((a) => Object.keys(a.value ?? {})[0])).toEqual(['stringValue', 'intValue', 'boolValue', 'doubleValue', undefined]);
  });

  it('reads the SDK’s protobuf spans exactly as the JSON schema reads the SDK’s OTLP JSON of the same spans (hex ids, nanoseconds as doubles)', () => {
    const spans = sdkSpans();
    const protobufBody = ProtobufTraceSerializer.serializeRequest(spans);
    const jsonBody = JsonTraceSerializer.serializeRequest(spans);
    if (!protobufBody || !jsonBody) throw new Error('the SDK serialised nothing');
    const fromJson = ExportTraceRequestSchema.parse(JSON.parse(new TextDecoder().decode(jsonBody)));
    const fromProtobuf = decodeTraceRequest(protobufBody);
    expect(fromProtobuf).toEqual(fromJson);
    const decoded = fromProtobuf.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(decoded).toHaveLength(2);
    const client = decoded.find((span) => span.kind === 3);
    const server = decoded.find((span) => span.kind === 2);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(client?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(client?.status.code).toBe(2);
    expect(client?.endTimeUnixNano).toBe(Number(1_800_000_000_123_456_789n));
  });

  it('reads negative and large int64 attribute values as the JSON schema reads their strings', () => {
    const type = vendoredRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const attributes = [
      { key: 'negative', value: { intValue: '-5' } },
      { key: 'large', value: { intValue: '1099511627776' } },
      { key: 'lowest', value: { intValue: '-4294967297' } },
    ];
    const bytes = type.encode(type.fromObject({ resourceMetrics: [{ resource: { attributes } }] })).finish();
    const read = decodeMetricsRequest(bytes).resourceMetrics[0]?.resource.attributes.map((a) => a.value?.intValue);
    expect(read).toEqual([-5, 1_099_511_627_776, -4_294_967_297]);
    expect(read).toEqual(ExportMetricsRequestSchema.parse({ resourceMetrics: [{ resource: { attributes } }] }).resourceMetrics[0]?.resource.attributes.map((a) => a.value?.intValue));
  });

  it('refuses a count that a double cannot hold exactly, as the JSON schema does', () => {
    const type = vendoredRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const point = { timeUnixNano: '1800000000000000000', count: '9007199254740993', bucketCounts: [1], explicitBounds: [] };
    const bytes = type.encode(type.fromObject({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'http.server.duration', histogram: { dataPoints: [point] } }] }] }] })).finish();
    expect(() => decodeMetricsRequest(bytes)).toThrow(/below 2\^53/);
  });

  it('reads non-finite bucket bounds as the JSON schema does (the intake refuses that point alone), and refuses an exponential scale out of the data model', () => {
    const type = vendoredRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const metric = (data: object) => type.encode(type.fromObject({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'http.server.request.duration', ...data }] }] }] })).finish();
    for (const [bound, json] of [[Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], [Number.NEGATIVE_INFINITY, '-Infinity']] as const) {
      const point = { count: 2, bucketCounts: [1, 1] };
      const fromProtobuf = decodeMetricsRequest(metric({ histogram: { dataPoints: [{ ...point, explicitBounds: [bound] }] } }));
      const fromJson = ExportMetricsRequestSchema.parse({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'http.server.request.duration', histogram: { dataPoints: [{ ...point, explicitBounds: [json] }] } }] }] }] });
      expect(fromProtobuf).toEqual(fromJson);
      expect(fromProtobuf.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.histogram?.dataPoints[0]?.explicitBounds).toEqual([bound]);
    }
    expect(() => decodeMetricsRequest(metric({ exponentialHistogram: { dataPoints: [{ count: 1, scale: 100, positive: { bucketCounts: [1] } }] } }))).toThrow(/scale: expected -10 to 20/);
  });

  it("reads an exponential point's zero_threshold (field 14 of OTLP v1, which the vendored v0.18 lacks) as the JSON schema reads zeroThreshold, 0 when absent", () => {
    const root = vendoredRoot();
    // A v1 sender's point: the field as upstream numbers it.
    root.lookupType('opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint').add(new protobuf.Field('zeroThreshold', 14, 'double'));
    root.resolveAll();
    const type = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const request = (point: object) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'http.server.request.duration', exponentialHistogram: { dataPoints: [{ count: 3, scale: 0, zeroCount: 2, positive: { offset: 3, bucketCounts: [1] }, ...point }] } }] }] }] });
    for (const point of [{ zeroThreshold: 0.002 }, {}]) {
      const fromProtobuf = decodeMetricsRequest(type.encode(type.fromObject(request(point))).finish());
      expect(fromProtobuf).toEqual(ExportMetricsRequestSchema.parse(request(point)));
      expect(fromProtobuf.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.exponentialHistogram?.dataPoints[0]?.zeroThreshold).toBe('zeroThreshold' in point ? 0.002 : 0);
    }
  });

  it('refuses more attributes than the bound, and ids of the wrong length', () => {
    const metrics = vendoredRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const attributes = Array.from({ length: MAX_ATTRIBUTES + 1 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
    const many = metrics.encode(metrics.fromObject({ resourceMetrics: [{ resource: { attributes } }] })).finish();
    expect(() => decodeMetricsRequest(many)).toThrow(OtlpBoundError);
    const traces = vendoredRoot('opentelemetry/proto/collector/trace/v1/trace_service.proto').lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    const short = traces.encode(traces.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from('0af765', 'hex') }] }] }] })).finish();
    expect(() => decodeTraceRequest(short)).toThrow(/traceId: expected 16 bytes/);
  });

  it('writes ids of every byte value as the same lowercase hex OTLP JSON sends', () => {
    const traces = vendoredRoot('opentelemetry/proto/collector/trace/v1/trace_service.proto').lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    // 256 byte values over 8 spans: trace ids take 16 each, span and parent ids 8 each (bytes 128–255).
    const spans = Array.from({ length: 8 }, (_, i) => ({
      traceId: bytes.subarray(16 * i, 16 * i + 16),
      spanId: bytes.subarray(128 + 16 * i, 136 + 16 * i),
      parentSpanId: bytes.subarray(136 + 16 * i, 144 + 16 * i),
    }));
    const decoded = decodeTraceRequest(traces.encode(traces.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] })).finish());
    const ids = decoded.resourceSpans[0]?.scopeSpans[0]?.spans.map((span) => [span.traceId, span.spanId, span.parentSpanId]);
    expect(ids).toEqual(spans.map((span) => [span.traceId.toString('hex'), span.spanId.toString('hex'), span.parentSpanId.toString('hex')]));
  });

  it('names the rejected count after the signal in OTLP JSON', () => {
    expect(JSON.parse(partialResponseJson('rejectedSpans', { rejected: 2, message: 'm' }))).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'm' } });
    expect(partialResponseJson('rejectedDataPoints', undefined)).toBe('{}');
  });

  it('throws on bytes that are not a request', () => {
    expect(() => decodeMetricsRequest(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f]))).toThrow();
  });

  it('encodes partial_success by the upstream field numbers', () => {
    expect(encodePartialResponse(undefined)).toHaveLength(0);
    // field 1 (message) { field 1 varint 3, field 2 string "x" }
    expect([...encodePartialResponse({ rejected: 3, message: 'x' })]).toEqual([0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]);
  });
});
