import path from 'node:path';
import protobuf from 'protobufjs';
import type { ExportMetricsRequest } from '@/lib/model/otlp/schema';
import type { ExportTraceRequest } from '@/lib/model/otlp/trace-schema';
import { boundProtobufMessages } from './message-count';
import { metricsRequestOf, traceRequestOf, type MetricsRequestMessage, type TraceRequestMessage } from './proto-messages';

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
  // v1.x's ExponentialHistogramDataPoint.zero_threshold, absent from the vendored v0.18 (proto/README.md): the zero bucket's width.
  if (file === METRICS_SERVICE) root.lookupType('opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint').add(new protobuf.Field('zeroThreshold', 14, 'double'));
  root.resolveAll();
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

/** Decodes a protobuf `ExportMetricsServiceRequest` into what the intake reads. Throws on a malformed body or a broken bound. */
export function decodeMetricsRequest(body: Uint8Array): ExportMetricsRequest {
  const type = requestType(METRICS_SERVICE, 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
  boundProtobufMessages(type, body);
  return metricsRequestOf(type.decode(body) as unknown as MetricsRequestMessage);
}

/** Decodes a protobuf `ExportTraceServiceRequest` into what the intake reads (ids in hex, as OTLP JSON sends them). Throws on a malformed body or a broken bound. */
export function decodeTraceRequest(body: Uint8Array): ExportTraceRequest {
  const type = requestType(TRACE_SERVICE, 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  boundProtobufMessages(type, body);
  return traceRequestOf(type.decode(body) as unknown as TraceRequestMessage);
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
