import path from 'node:path';
import protobuf from 'protobufjs';
import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { MAX_OTLP_BYTES } from './endpoint';
import { boundJsonContainers, boundProtobufMessages, MAX_EXPORT_MESSAGES } from './message-count';
import { decodeMetricsRequest, decodeTraceRequest } from './proto';

function vendored(file: string, name: string): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(import.meta.dirname, 'proto', target);
  return root.loadSync(file).resolveAll().lookupType(name);
}
const metricsType = vendored('opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');

/** A batch span processor's export as the SDK serialises it: 100 server spans of one service, with the usual HTTP attributes. */
function sdkSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.instance.id': 'checkout-1', 'host.name': 'node-7' });
  const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('message-count-test');
  for (let i = 0; i < 100; i += 1) {
    const span = tracer.startSpan('GET /cart', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/cart', 'http.response.status_code': 200, 'server.address': 'checkout', 'server.port': 8080 } });
    span.end();
  }
  return exporter.getFinishedSpans();
}

/** Copies of `one` up to `bytes`: a protobuf message concatenated with itself is one message with its repeated fields joined. */
const repeatedUpTo = (one: Uint8Array, bytes: number): Buffer => Buffer.concat(Array.from({ length: Math.floor(bytes / one.length) }, () => one));

describe('the number of messages in one export', () => {
  it('refuses 4 MiB of empty messages (4 KB gzipped) before decoding them', () => {
    const empties = Buffer.alloc(MAX_OTLP_BYTES);
    for (let i = 0; i < empties.length; i += 2) empties[i] = 0x0a; // resource_metrics = {}
    expect(() => decodeMetricsRequest(empties)).toThrow(`more than ${MAX_EXPORT_MESSAGES} messages in one export`);
    expect(() => decodeTraceRequest(empties)).toThrow(`more than ${MAX_EXPORT_MESSAGES} messages in one export`);
  });

  it('refuses an export whose every list is within its own bound but whose product is not', () => {
    const emptyMetrics = Array.from({ length: 19 }, () => ({}));
    const scopes = Array.from({ length: 100 }, () => ({ metrics: emptyMetrics }));
    const body = metricsType.encode(metricsType.fromObject({ resourceMetrics: Array.from({ length: 1_000 }, () => ({ scopeMetrics: scopes })) })).finish();
    expect(() => decodeMetricsRequest(body)).toThrow(`more than ${MAX_EXPORT_MESSAGES} messages in one export`);
  });

  it('takes the largest real export: the SDK’s own spans up to the body limit', () => {
    const body = repeatedUpTo(ProtobufTraceSerializer.serializeRequest(sdkSpans()) as Uint8Array, MAX_OTLP_BYTES);
    const traceType = vendored('opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    expect(() => boundProtobufMessages(traceType, body)).not.toThrow();
    expect(() => boundProtobufMessages(traceType, body, 1_000)).toThrow('more than');
  });

  it('refuses attribute values nested deeper than protobufjs decodes', () => {
    // Written by field number (protobufjs will not encode what it would not decode): AnyValue.array_value = 5, ArrayValue.values = 1.
    const field = (number: number, bytes: Uint8Array): Uint8Array => protobuf.Writer.create().uint32((number << 3) | 2).bytes(bytes).finish();
    let value = field(1, Buffer.from('leaf'));
    for (let depth = 0; depth < 60; depth += 1) value = field(5, field(1, value));
    const keyValue = (key: string, anyValue: Uint8Array): Uint8Array => Buffer.concat([field(1, Buffer.from(key)), field(2, anyValue)]);
    const resource = Buffer.concat([field(1, keyValue('padding', field(1, Buffer.alloc(70_000, 0x70)))), field(1, keyValue('deep', value))]);
    const body = field(1, field(1, resource));
    expect(() => boundProtobufMessages(metricsType, body)).toThrow('nested too deeply');
  });

  it('leaves a malformed body to the decoder, which says what is wrong', () => {
    const truncated = Buffer.concat([Buffer.from([0x0a, 0xff, 0xff, 0x03]), Buffer.alloc(70_000, 0x0a)]);
    expect(() => boundProtobufMessages(metricsType, truncated)).not.toThrow();
    expect(() => decodeMetricsRequest(truncated)).toThrow();
  });

  it('refuses a JSON body of a million empty objects before parsing it, and takes the SDK’s JSON up to the body limit', () => {
    const objects = Buffer.from(`{"resourceMetrics":[${Array.from({ length: 1_000_000 }, () => '{}').join(',')}]}`);
    expect(() => boundJsonContainers(objects)).toThrow(`more than ${MAX_EXPORT_MESSAGES} messages in one export`);
    const one = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(sdkSpans()) as Uint8Array).toString('utf8')) as { resourceSpans: unknown[] };
    const oneBytes = JSON.stringify(one.resourceSpans[0]).length;
    const real = Buffer.from(JSON.stringify({ resourceSpans: Array.from({ length: Math.floor(MAX_OTLP_BYTES / oneBytes) - 1 }, () => one.resourceSpans[0]) }));
    expect(real.length).toBeLessThanOrEqual(MAX_OTLP_BYTES);
    expect(() => boundJsonContainers(real)).not.toThrow();
  });
});
