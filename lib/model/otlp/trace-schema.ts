import { z } from 'zod';
import { AttributesSchema, MAX_RESOURCES, MAX_SCOPES } from './schema';

/**
 * OTLP `ExportTraceServiceRequest` in the shape both encodings reach us in (protobuf ids turned into
 * hex by the decoder, as OTLP JSON sends them). Only what the service graph reads is declared; every
 * list is bounded.
 */
export const MAX_SPANS_PER_SCOPE = 10_000;

/**
 * fixed64 nanoseconds as a double: ±256 ns at today's epoch, so a span's duration is good to
 * ±0.0005 ms — inside the ±4.5 % bucket it is recorded in for any span over 11 µs — without a
 * BigInt per timestamp on a path that reads thousands of spans a second.
 */
const NanosSchema = z
  .union([z.string().regex(/^\d{1,20}$/, 'expected an unsigned integer'), z.number().int().nonnegative()])
  .transform((value) => Number(value));
const HexIdSchema = (bytes: number) =>
  z
    .string()
    .regex(new RegExp(`^(?:[0-9a-fA-F]{${bytes * 2}})?$`), `expected ${bytes} bytes as hex`)
    .transform((value) => value.toLowerCase());

/** SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
export const SPAN_KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;
/** Status.code: 2 is ERROR. */
export const STATUS_ERROR = 2;

const SpanSchema = z.object({
  traceId: HexIdSchema(16),
  spanId: HexIdSchema(8),
  parentSpanId: HexIdSchema(8).default(''),
  // Unknown kinds and status codes (a newer sender) are not errors: the span is ignored or not failed.
  kind: z.number().int().default(0),
  startTimeUnixNano: NanosSchema.default(0),
  endTimeUnixNano: NanosSchema.default(0),
  attributes: AttributesSchema,
  status: z.object({ code: z.number().int().default(0) }).default({ code: 0 }),
});
export type OtlpSpan = z.infer<typeof SpanSchema>;

export const ExportTraceRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: AttributesSchema }).default({ attributes: [] }),
        scopeSpans: z
          .array(z.object({ spans: z.array(SpanSchema).max(MAX_SPANS_PER_SCOPE).default([]) }))
          .max(MAX_SCOPES)
          .default([]),
      }),
    )
    .max(MAX_RESOURCES)
    .default([]),
});
export type ExportTraceRequest = z.infer<typeof ExportTraceRequestSchema>;
