import path from 'node:path';
import protobuf from 'protobufjs';

/** opentelemetry-proto as vendored (see proto/README.md), loaded once. */
const PROTO_ROOT = path.join(import.meta.dirname, 'proto');
const METRICS_SERVICE = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto';
const TRACE_SERVICE = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

const types = new Map<string, protobuf.Type>();
function requestType(file: string, name: string): protobuf.Type {
  const known = types.get(name);
  if (known) return known;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync(file);
  const type = root.lookupType(name);
  types.set(name, type);
  return type;
}

/**
 * `Export{Metrics,Trace}ServiceResponse` with `partial_success` (field 1: the rejected count = 1,
 * `error_message` = 2, as opentelemetry-proto v0.19+ defines both); the vendored v0.18 files
 * predate it, so only this shape is declared here, by the upstream field numbers.
 */
const response = new protobuf.Type('ExportPartialResponse')
  .add(new protobuf.Field('partialSuccess', 1, 'ExportPartialSuccess'))
  .add(new protobuf.Type('ExportPartialSuccess').add(new protobuf.Field('rejected', 1, 'int64')).add(new protobuf.Field('errorMessage', 2, 'string')));
new protobuf.Root().add(response);

/** Decodes a protobuf `ExportMetricsServiceRequest` into OTLP JSON's shape (camelCase, int64 as strings, enums as numbers). Throws on a malformed body. */
export function decodeMetricsRequest(body: Uint8Array): unknown {
  const type = requestType(METRICS_SERVICE, 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
  return type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String });
}

const hex = (base64: unknown): unknown => (typeof base64 === 'string' ? Buffer.from(base64, 'base64').toString('hex') : base64);

/**
 * Decodes a protobuf `ExportTraceServiceRequest` into OTLP JSON's shape: as metrics, and trace and
 * span ids in hex (protobuf carries them as bytes). Throws on a malformed body.
 */
export function decodeTraceRequest(body: Uint8Array): unknown {
  const type = requestType(TRACE_SERVICE, 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const decoded = type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String }) as {
    resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
  };
  for (const resource of decoded.resourceSpans ?? []) {
    for (const scope of resource.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) span[key] = hex(span[key]);
      }
    }
  }
  return decoded;
}

export interface PartialSuccess {
  rejected: number;
  message: string;
}

export function encodePartialResponse(partial: PartialSuccess | undefined): Uint8Array {
  return response.encode(response.fromObject(partial ? { partialSuccess: { rejected: partial.rejected, errorMessage: partial.message } } : {})).finish();
}

/** The same response in OTLP JSON (int64 as a decimal string), under the signal's name for the count (`rejectedDataPoints`, `rejectedSpans`). */
export function partialResponseJson(countName: 'rejectedDataPoints' | 'rejectedSpans', partial: PartialSuccess | undefined): string {
  return JSON.stringify(partial ? { partialSuccess: { [countName]: String(partial.rejected), errorMessage: partial.message } } : {});
}
