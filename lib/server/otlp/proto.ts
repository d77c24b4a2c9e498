import path from 'node:path';
import protobuf from 'protobufjs';

/** opentelemetry-proto as vendored (see proto/README.md), loaded once. */
const PROTO_ROOT = path.join(import.meta.dirname, 'proto');
const METRICS_SERVICE = 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto';

let request: protobuf.Type | undefined;
function requestType(): protobuf.Type {
  if (request) return request;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync(METRICS_SERVICE);
  return (request = root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'));
}

/**
 * `ExportMetricsServiceResponse` with `partial_success` (field 1: `rejected_data_points` = 1,
 * `error_message` = 2, as opentelemetry-proto v0.19+ defines it); the vendored v0.18 files predate
 * it, so only this message is declared here, by the upstream field numbers.
 */
const response = new protobuf.Type('ExportMetricsServiceResponse')
  .add(new protobuf.Field('partialSuccess', 1, 'ExportMetricsPartialSuccess'))
  .add(new protobuf.Type('ExportMetricsPartialSuccess').add(new protobuf.Field('rejectedDataPoints', 1, 'int64')).add(new protobuf.Field('errorMessage', 2, 'string')));
new protobuf.Root().add(response);

/** Decodes a protobuf `ExportMetricsServiceRequest` into OTLP JSON's shape (camelCase, int64 as strings, enums as numbers). Throws on a malformed body. */
export function decodeMetricsRequest(body: Uint8Array): unknown {
  const type = requestType();
  return type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String });
}

export interface PartialSuccess {
  rejectedDataPoints: number;
  errorMessage: string;
}

export function encodeMetricsResponse(partialSuccess: PartialSuccess | undefined): Uint8Array {
  return response.encode(response.fromObject(partialSuccess ? { partialSuccess } : {})).finish();
}

/** The same response in OTLP JSON (int64 as a decimal string). */
export function metricsResponseJson(partialSuccess: PartialSuccess | undefined): string {
  return JSON.stringify(partialSuccess ? { partialSuccess: { rejectedDataPoints: String(partialSuccess.rejectedDataPoints), errorMessage: partialSuccess.errorMessage } } : {});
}
