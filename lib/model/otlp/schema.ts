import { z } from 'zod';

/**
 * OTLP `ExportMetricsServiceRequest`, in the shape both encodings reach us in: OTLP JSON as sent,
 * and protobuf decoded by protobufjs with `longs: String` (lowerCamelCase keys, int64 as decimal
 * strings, enums as integers). Only what Switchyard reads is declared; zod drops every other key,
 * which is OTLP's "unknown fields are ignored". Every list is bounded.
 */
export const MAX_RESOURCES = 1_000;
export const MAX_METRICS_PER_SCOPE = 2_000;
export const MAX_POINTS_PER_METRIC = 5_000;
export const MAX_ATTRIBUTES = 128;
export const MAX_SCOPES = 100;
export const MAX_ATTRIBUTE_KEY = 256;
export const MAX_STRING_VALUE = 4_096;
/** Metric and scope names and versions. */
export const MAX_NAME = 256;
export const MAX_UNIT = 64;
/** Exponential histogram scales the data model allows (the SDKs start at 20 and only go down). */
export const MIN_SCALE = -10;
export const MAX_SCALE = 20;
/** The SDKs' exponential histograms hold at most 160 buckets, explicit ones a few dozen; a cumulative stream keeps its last point, so this bounds its memory. */
export const MAX_OTLP_BUCKETS = 200;

/** int64/uint64: a decimal string (JSON, protobufjs) or a number (lenient senders). */
const Int64Schema = z.union([z.string().regex(/^-?\d{1,20}$/, 'expected an integer'), z.number().int()]).transform((value) => Number(value));
/** A histogram point's count: one below zero is the point's fault, refused with it (`explicitBucketsProblem`, `exponentialBucketsProblem`), not the whole export's. */
const BucketCountSchema = Int64Schema.refine((n) => Number.isSafeInteger(n), 'expected an integer of magnitude below 2^53');
/**
 * An explicit bound or a zero threshold: a double, which OTLP JSON may write as "NaN", "Infinity" or "-Infinity", and the
 * JS SDK's JSON exporter writes NaN as null. Read as numbers; a point holding one is refused alone.
 */
const BoundSchema = z.union([z.number(), z.null().transform(() => Number.NaN), z.enum(['NaN', 'Infinity', '-Infinity']).transform((text) => Number(text))]);

const AnyValueSchema = z.object({
  stringValue: z.string().max(MAX_STRING_VALUE).optional(),
  intValue: Int64Schema.optional(),
  boolValue: z.boolean().optional(),
  doubleValue: z.number().optional(),
});

export const AttributesSchema = z
  .array(z.object({ key: z.string().max(MAX_ATTRIBUTE_KEY), value: AnyValueSchema.optional() }))
  .max(MAX_ATTRIBUTES)
  .default([]);
export type Attributes = z.infer<typeof AttributesSchema>;

const TimeSchema = Int64Schema.default(0);

const HistogramPointSchema = z.object({
  attributes: AttributesSchema,
  startTimeUnixNano: TimeSchema,
  timeUnixNano: TimeSchema,
  count: BucketCountSchema.default(0),
  bucketCounts: z.array(BucketCountSchema).max(MAX_OTLP_BUCKETS + 1).default([]),
  explicitBounds: z.array(BoundSchema).max(MAX_OTLP_BUCKETS).default([]),
});
export type HistogramPoint = z.infer<typeof HistogramPointSchema>;

const BucketsSchema = z.object({
  /** sint32 on the wire: at scale 20 a single value's index is in the millions. */
  offset: z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1).default(0),
  bucketCounts: z.array(BucketCountSchema).max(MAX_OTLP_BUCKETS).default([]),
});

const ExponentialPointSchema = z.object({
  attributes: AttributesSchema,
  startTimeUnixNano: TimeSchema,
  timeUnixNano: TimeSchema,
  count: BucketCountSchema.default(0),
  scale: z.number().int().min(MIN_SCALE).max(MAX_SCALE).default(0),
  zeroCount: BucketCountSchema.default(0),
  /** Calls in the zero bucket took up to this (the SDKs' default 0); NaN or below 0 reads as 0. */
  zeroThreshold: BoundSchema.default(0),
  positive: BucketsSchema.default({ offset: 0, bucketCounts: [] }),
});
export type ExponentialPoint = z.infer<typeof ExponentialPointSchema>;

/** AggregationTemporality: 1 delta, 2 cumulative (0 unspecified). */
const TemporalitySchema = z.number().int().default(0);

const MetricSchema = z.object({
  name: z.string().max(MAX_NAME),
  unit: z.string().max(MAX_UNIT).default(''),
  histogram: z.object({ dataPoints: z.array(HistogramPointSchema).max(MAX_POINTS_PER_METRIC).default([]), aggregationTemporality: TemporalitySchema }).optional(),
  exponentialHistogram: z
    .object({ dataPoints: z.array(ExponentialPointSchema).max(MAX_POINTS_PER_METRIC).default([]), aggregationTemporality: TemporalitySchema })
    .optional(),
});
export type OtlpMetric = z.infer<typeof MetricSchema>;

const ScopeMetricsSchema = z.object({
  scope: z.object({ name: z.string().max(MAX_NAME).default(''), version: z.string().max(MAX_NAME).default('') }).default({ name: '', version: '' }),
  metrics: z.array(MetricSchema).max(MAX_METRICS_PER_SCOPE).default([]),
});

export const ExportMetricsRequestSchema = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource: z.object({ attributes: AttributesSchema }).default({ attributes: [] }),
        scopeMetrics: z.array(ScopeMetricsSchema).max(MAX_SCOPES).default([]),
      }),
    )
    .max(MAX_RESOURCES)
    .default([]),
});
export type ExportMetricsRequest = z.infer<typeof ExportMetricsRequestSchema>;

/** An attribute's value as text (strings as they are, integers in decimal), or undefined. */
export function attributeText(attributes: Attributes, key: string): string | undefined {
  const value = attributes.find((attribute) => attribute.key === key)?.value;
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return String(value.intValue);
  if (value.boolValue !== undefined) return String(value.boolValue);
  if (value.doubleValue !== undefined) return String(value.doubleValue);
  return undefined;
}
