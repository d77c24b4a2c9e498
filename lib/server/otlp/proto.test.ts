import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ExportMetricsRequestSchema } from '@/lib/model/otlp/schema';
import { decodeMetricsRequest, decodeTraceRequest, encodePartialResponse, partialResponseJson } from './proto';

/** The vendored definitions, loaded independently to encode what an exporter would send. */
function vendoredRoot(file = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto'): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(import.meta.dirname, 'proto', target);
  return root.loadSync(file);
}

describe('OTLP protobuf', () => {
  it('decodes a request into OTLP JSON’s shape: camelCase keys, int64 as strings, enums as numbers', () => {
    const type = vendoredRoot().lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
    const bytes = type
      .encode(
        type.fromObject({
          resourceMetrics: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }] },
              scopeMetrics: [
                {
                  metrics: [
                    {
                      name: 'http.server.request.duration',
                      unit: 's',
                      histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '1800000000000000000', count: 3, bucketCounts: [1, 2], explicitBounds: [0.1] }] },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      )
      .finish();
    const decoded = decodeMetricsRequest(bytes);
    const parsed = ExportMetricsRequestSchema.parse(decoded);
    const point = parsed.resourceMetrics[0]?.scopeMetrics[0]?.metrics[0]?.histogram;
    expect(point).toMatchObject({ aggregationTemporality: 2, dataPoints: [{ timeUnixNano: 1.8e18, count: 3, bucketCounts: [1, 2], explicitBounds: [0.1] }] });
    expect(JSON.stringify(decoded)).toContain('"timeUnixNano":"1800000000000000000"');
  });

  it('decodes a trace request with its ids in hex, as OTLP JSON writes them', () => {
    const type = vendoredRoot('opentelemetry/proto/collector/trace/v1/trace_service.proto').lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    const id = (hex: string) => Buffer.from(hex, 'hex');
    const span = { traceId: id('0af7651916cd43dd8448eb211c80319c'), spanId: id('b7ad6b7169203331'), parentSpanId: id('00f067aa0ba902b7'), kind: 2, startTimeUnixNano: '1800000000000000000' };
    const bytes = type.encode(type.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })).finish();
    expect(decodeTraceRequest(bytes)).toMatchObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', parentSpanId: '00f067aa0ba902b7', kind: 2, startTimeUnixNano: '1800000000000000000' }] }] }],
    });
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
