import path from 'node:path';
import protobuf from 'protobufjs';

const PROTO_ROOT = path.resolve(import.meta.dirname, '../lib/server/otlp/proto');

/** protobufjs `decode` of the OTLP export requests and nothing else: the floor under any OTLP receiver. */
export function bareDecoders(): { metrics(body: Uint8Array): unknown; traces(body: Uint8Array): unknown } {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync(['opentelemetry/proto/collector/metrics/v1/metrics_service.proto', 'opentelemetry/proto/collector/trace/v1/trace_service.proto']);
  const metrics = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
  const traces = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  return { metrics: (body) => metrics.decode(body), traces: (body) => traces.decode(body) };
}
