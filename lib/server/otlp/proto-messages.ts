import type { Long } from 'protobufjs';
import {
  MAX_ATTRIBUTE_KEY,
  MAX_ATTRIBUTES,
  MAX_METRICS_PER_SCOPE,
  MAX_NAME,
  MAX_OTLP_BUCKETS,
  MAX_POINTS_PER_METRIC,
  MAX_RESOURCES,
  MAX_SCALE,
  MAX_SCOPES,
  MAX_STRING_VALUE,
  MAX_UNIT,
  MIN_SCALE,
  type Attributes,
  type ExportMetricsRequest,
  type OtlpMetric,
} from '@/lib/model/otlp/schema';
import { MAX_SPANS_PER_SCOPE, type ExportTraceRequest, type OtlpSpan } from '@/lib/model/otlp/trace-schema';

/**
 * The fields Switchyard reads of the messages protobufjs decodes from the vendored
 * opentelemetry-proto. The generated decoder guarantees each field's wire type; a field the sender
 * left out reads as its default from the message's prototype (0, '', an empty list, null for a
 * message, a zero Long for a 64-bit integer); a oneof names its set member (`value`, `data`).
 * 64-bit integers are `Long`s (protobufjs uses the `long` package, its dependency, when present).
 */
interface AnyValueMessage {
  value?: string;
  stringValue: string;
  boolValue: boolean;
  intValue: Long;
  doubleValue: number;
}
interface KeyValueMessage {
  key: string;
  value: AnyValueMessage | null;
}
interface ResourceMessage {
  attributes: KeyValueMessage[];
}
interface ScopeMessage {
  name: string;
  version: string;
}
interface HistogramPointMessage {
  attributes: KeyValueMessage[];
  startTimeUnixNano: Long;
  timeUnixNano: Long;
  count: Long;
  bucketCounts: Long[];
  explicitBounds: number[];
}
interface ExponentialPointMessage {
  attributes: KeyValueMessage[];
  startTimeUnixNano: Long;
  timeUnixNano: Long;
  count: Long;
  scale: number;
  zeroCount: Long;
  zeroThreshold: number;
  positive: { offset: number; bucketCounts: Long[] } | null;
}
interface MetricMessage {
  name: string;
  unit: string;
  data?: string;
  histogram: { dataPoints: HistogramPointMessage[]; aggregationTemporality: number } | null;
  exponentialHistogram: { dataPoints: ExponentialPointMessage[]; aggregationTemporality: number } | null;
}
export interface MetricsRequestMessage {
  resourceMetrics: { resource: ResourceMessage | null; scopeMetrics: { scope: ScopeMessage | null; metrics: MetricMessage[] }[] }[];
}
interface SpanMessage {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  kind: number;
  startTimeUnixNano: Long;
  endTimeUnixNano: Long;
  attributes: KeyValueMessage[];
  status: { code: number } | null;
}
export interface TraceRequestMessage {
  resourceSpans: { resource: ResourceMessage | null; scopeSpans: { spans: SpanMessage[] }[] }[];
}

/** A decoded message that breaks a bound Switchyard sets (the same bounds as the OTLP JSON schema's). */
export class OtlpBoundError extends Error {}

function bounded<T>(list: T[], max: number, what: string): T[] {
  if (list.length > max) throw new OtlpBoundError(`${what}: more than ${max}`);
  return list;
}

function text(value: string, max: number, what: string): string {
  if (value.length > max) throw new OtlpBoundError(`${what}: longer than ${max} characters`);
  return value;
}

/** A fixed64/uint64 count as a number: non-negative and exact (below 2^53), as the JSON schema requires. */
function countOf(value: Long): number {
  if (value.high >>> 0 >= 0x200000) throw new OtlpBoundError('expected a non-negative integer below 2^53');
  return (value.high >>> 0) * 0x1_0000_0000 + (value.low >>> 0);
}

/** A signed int64 as the nearest double (`high` is the signed upper half), as `Number("…")` reads JSON's string. */
const int64AsNumber = (value: Long): number => (value.high | 0) * 0x1_0000_0000 + (value.low >>> 0);

/** fixed64 nanoseconds as a double, rounded once, as `Number("…")` rounds the JSON string. */
const nanosAsNumber = (value: Long): number => (value.high >>> 0) * 0x1_0000_0000 + (value.low >>> 0);


function attributesOf(list: KeyValueMessage[]): Attributes {
  bounded(list, MAX_ATTRIBUTES, 'attributes');
  const attributes: Attributes = [];
  for (const { key, value } of list) {
    text(key, MAX_ATTRIBUTE_KEY, 'attribute key');
    if (!value) {
      attributes.push({ key });
      continue;
    }
    switch (value.value) {
      case 'stringValue':
        attributes.push({ key, value: { stringValue: text(value.stringValue, MAX_STRING_VALUE, `attribute ${key}`) } });
        break;
      case 'intValue':
        attributes.push({ key, value: { intValue: int64AsNumber(value.intValue) } });
        break;
      case 'boolValue':
        attributes.push({ key, value: { boolValue: value.boolValue } });
        break;
      case 'doubleValue':
        attributes.push({ key, value: { doubleValue: value.doubleValue } });
        break;
      default:
        // Arrays, key-value lists and bytes name nothing Switchyard reads: kept as a value with none of the four.
        attributes.push({ key, value: {} });
    }
  }
  return attributes;
}

const countsOf = (list: Long[], max: number): number[] => bounded(list, max, 'bucketCounts').map(countOf);

function metricOf(metric: MetricMessage): OtlpMetric {
  const converted: OtlpMetric = { name: text(metric.name, MAX_NAME, 'metric name'), unit: text(metric.unit, MAX_UNIT, 'metric unit') };
  if (metric.data === 'histogram' && metric.histogram) {
    const { dataPoints, aggregationTemporality } = metric.histogram;
    converted.histogram = {
      aggregationTemporality,
      dataPoints: bounded(dataPoints, MAX_POINTS_PER_METRIC, 'dataPoints').map((point) => ({
        attributes: attributesOf(point.attributes),
        startTimeUnixNano: nanosAsNumber(point.startTimeUnixNano),
        timeUnixNano: nanosAsNumber(point.timeUnixNano),
        count: countOf(point.count),
        bucketCounts: countsOf(point.bucketCounts, MAX_OTLP_BUCKETS + 1),
        explicitBounds: bounded(point.explicitBounds, MAX_OTLP_BUCKETS, 'explicitBounds'),
      })),
    };
  } else if (metric.data === 'exponentialHistogram' && metric.exponentialHistogram) {
    const { dataPoints, aggregationTemporality } = metric.exponentialHistogram;
    converted.exponentialHistogram = {
      aggregationTemporality,
      dataPoints: bounded(dataPoints, MAX_POINTS_PER_METRIC, 'dataPoints').map((point) => {
        if (point.scale < MIN_SCALE || point.scale > MAX_SCALE) throw new OtlpBoundError(`scale: expected ${MIN_SCALE} to ${MAX_SCALE}`);
        return {
          attributes: attributesOf(point.attributes),
          startTimeUnixNano: nanosAsNumber(point.startTimeUnixNano),
          timeUnixNano: nanosAsNumber(point.timeUnixNano),
          count: countOf(point.count),
          scale: point.scale,
          zeroCount: countOf(point.zeroCount),
          zeroThreshold: point.zeroThreshold,
          positive: { offset: point.positive?.offset ?? 0, bucketCounts: countsOf(point.positive?.bucketCounts ?? [], MAX_OTLP_BUCKETS) },
        };
      }),
    };
  }
  return converted;
}

const resourceOf = (resource: ResourceMessage | null): { attributes: Attributes } => ({ attributes: attributesOf(resource?.attributes ?? []) });

/** A decoded `ExportMetricsServiceRequest` as the intake reads it: what the JSON schema yields for the same request. Throws `OtlpBoundError`. */
export function metricsRequestOf(message: MetricsRequestMessage): ExportMetricsRequest {
  return {
    resourceMetrics: bounded(message.resourceMetrics, MAX_RESOURCES, 'resourceMetrics').map(({ resource, scopeMetrics }) => ({
      resource: resourceOf(resource),
      scopeMetrics: bounded(scopeMetrics, MAX_SCOPES, 'scopeMetrics').map(({ scope, metrics }) => ({
        scope: { name: text(scope?.name ?? '', MAX_NAME, 'scope name'), version: text(scope?.version ?? '', MAX_NAME, 'scope version') },
        metrics: bounded(metrics, MAX_METRICS_PER_SCOPE, 'metrics').map(metricOf),
      })),
    })),
  };
}

function hexId(bytes: Uint8Array, length: number, what: string): string {
  // An absent bytes field reads as the prototype's empty list, not a buffer.
  if (bytes.length === 0) return '';
  if (bytes.length !== length) throw new OtlpBoundError(`${what}: expected ${length} bytes`);
  // protobufjs hands bytes out as Buffer slices on Node.
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).toString('hex');
}

function spanOf(span: SpanMessage): OtlpSpan {
  return {
    traceId: hexId(span.traceId, 16, 'traceId'),
    spanId: hexId(span.spanId, 8, 'spanId'),
    parentSpanId: hexId(span.parentSpanId, 8, 'parentSpanId'),
    kind: span.kind,
    startTimeUnixNano: nanosAsNumber(span.startTimeUnixNano),
    endTimeUnixNano: nanosAsNumber(span.endTimeUnixNano),
    attributes: attributesOf(span.attributes),
    status: { code: span.status?.code ?? 0 },
  };
}

/** A decoded `ExportTraceServiceRequest` as the intake reads it (ids in lowercase hex): what the JSON schema yields for the same request. Throws `OtlpBoundError`. */
export function traceRequestOf(message: TraceRequestMessage): ExportTraceRequest {
  return {
    resourceSpans: bounded(message.resourceSpans, MAX_RESOURCES, 'resourceSpans').map(({ resource, scopeSpans }) => ({
      resource: resourceOf(resource),
      scopeSpans: bounded(scopeSpans, MAX_SCOPES, 'scopeSpans').map(({ spans }) => ({ spans: bounded(spans, MAX_SPANS_PER_SCOPE, 'spans').map(spanOf) })),
    })),
  };
}
