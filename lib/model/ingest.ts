import { z } from 'zod';

export const MAX_CALLS_PER_BATCH = 1_000;
export const MAX_BUCKETS = 64;
export const MAX_INTERVAL_SECONDS = 300;
/**
 * Accepted latency bucket bounds, in milliseconds: 1 µs to 1 h. Nothing a call report says
 * below or above is a latency we could chart, and the range fixes how many bins a sketch can
 * ever need (`lib/server/metrics-store/histogram.ts`).
 */
export const MIN_BOUND_MS = 0.001;
export const MAX_BOUND_MS = 3_600_000;
/**
 * Per-second slots one batch may fill: calls × intervalSeconds (rounded up). Each call entry
 * spreads over one slot per second of its interval in three series (callee, instance, edge), and
 * every slot is held until it closes, so this bounds what one request can make the server hold
 * (1,000 callees × 300 s held ~180 MB). Normal reporters stay below: 99 callees every 50 s is
 * 4,950; 1,000 callees every 5 s, or 83 every 60 s, is the limit.
 */
export const MAX_CALL_SECONDS_PER_BATCH = 5_000;
/** Calls (and errors) per call entry of one batch. */
export const MAX_COUNT = 1e9;

const name = z.string().min(1).max(256);
const count = z.number().int().nonnegative().max(MAX_COUNT);
const bound = z.number().min(MIN_BOUND_MS).max(MAX_BOUND_MS);
/**
 * `reference` checked by `accepts` in one plain pass: per-element schemas cost three quarters of a
 * batch's validation (~95 of 130 µs for 20 calls of 12 buckets: zod runs a schema and its checks
 * for every number). `accepts` must accept exactly what `reference` does; what it refuses is
 * parsed by `reference`, so a refusal names the same field with the same message as before.
 */
export function checkedInOnePass<T>(reference: z.ZodType<T>, accepts: (value: unknown) => boolean): z.ZodType<T> {
  return z.custom<T>().check((ctx) => {
    if (accepts(ctx.value)) return;
    const refused = reference.safeParse(ctx.value);
    for (const issue of refused.error?.issues ?? []) ctx.issues.push({ code: 'custom', message: issue.message, input: ctx.value, path: issue.path });
  });
}
const everyNumber = (value: unknown, min: number, max: number, accepts: (element: number) => boolean): value is number[] => {
  if (!Array.isArray(value) || value.length < min || value.length > max) return false;
  for (const element of value as unknown[]) if (typeof element !== 'number' || !accepts(element)) return false;
  return true;
};
const isBound = (element: number): boolean => element >= MIN_BOUND_MS && element <= MAX_BOUND_MS;
const isCount = (element: number): boolean => Number.isSafeInteger(element) && element >= 0 && element <= MAX_COUNT;
const acceptsBounds = (value: unknown): value is number[] => everyNumber(value, 1, MAX_BUCKETS, isBound);
const acceptsCounts = (value: unknown): value is number[] => everyNumber(value, 2, MAX_BUCKETS + 1, isCount);
const BoundsSchema = checkedInOnePass(z.array(bound).min(1).max(MAX_BUCKETS), acceptsBounds);
const CountsSchema = checkedInOnePass(z.array(count).min(2).max(MAX_BUCKETS + 1), acceptsCounts);

export const HistogramSchema = z
  .object({
    bounds: BoundsSchema,
    counts: CountsSchema,
  })
  .refine((h) => h.counts.length === h.bounds.length + 1, {
    message: 'counts must have one more entry than bounds (the last counts the overflow)',
    path: ['counts'],
  })
  .refine((h) => h.bounds.every((b, i) => i === 0 || b > (h.bounds[i - 1] as number)), {
    message: 'bounds must be strictly increasing',
    path: ['bounds'],
  });

export const CallStatsSchema = z
  .object({
    to: name,
    toInstance: name.optional(),
    count,
    errors: count,
    latencyMs: HistogramSchema,
  })
  .refine((c) => c.errors <= c.count, { message: 'errors cannot exceed count', path: ['errors'] });

const IntervalStartSchema = z.iso.datetime({ offset: true });

/** `POST /api/v1/ingest/calls` (contract): call statistics a service reports about its outbound calls. */
export const IngestBatchSchema = z
  .object({
    reporter: z.object({ service: name, instance: name }),
    intervalStart: IntervalStartSchema,
    // Below a millisecond an interval is no interval; it is spread over at least one second anyway.
    intervalSeconds: z.number().min(0.001).max(MAX_INTERVAL_SECONDS),
    calls: z.array(CallStatsSchema).max(MAX_CALLS_PER_BATCH),
  })
  .refine((batch) => callSeconds(batch.calls.length, batch.intervalSeconds) <= MAX_CALL_SECONDS_PER_BATCH, {
    message: `calls × intervalSeconds (rounded up) must be at most ${MAX_CALL_SECONDS_PER_BATCH}: report fewer callees per batch or report more often`,
    path: ['calls'],
  });

/** The per-second slots a batch's calls fill, as the metrics store spreads them (at least one second each). */
export function callSeconds(calls: number, intervalSeconds: number): number {
  return calls * Math.max(1, Math.ceil(intervalSeconds));
}
export type IngestBatch = z.infer<typeof IngestBatchSchema>;
export type CallStats = z.infer<typeof CallStatsSchema>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 256;
const isCountValue = (value: unknown): value is number => typeof value === 'number' && isCount(value);
const increasing = (bounds: readonly number[]): boolean => {
  for (let i = 1; i < bounds.length; i += 1) if (!((bounds[i] as number) > (bounds[i - 1] as number))) return false;
  return true;
};

/** A call entry exactly as `CallStatsSchema` would give it back, or null when it might not accept it. */
function acceptedCall(value: unknown): CallStats | null {
  if (!isObject(value)) return null;
  const { to, toInstance, count, errors, latencyMs } = value;
  if (!isName(to) || !isCountValue(count) || !isCountValue(errors) || errors > count || !isObject(latencyMs)) return null;
  const instance = toInstance === undefined ? undefined : isName(toInstance) ? toInstance : null;
  // Present but undefined (not JSON) is left to the schema.
  if (instance === null || (instance === undefined && 'toInstance' in value)) return null;
  const { bounds, counts } = latencyMs;
  if (!acceptsBounds(bounds) || !acceptsCounts(counts) || counts.length !== bounds.length + 1 || !increasing(bounds)) return null;
  const histogram = { bounds, counts };
  return instance === undefined ? { to, count, errors, latencyMs: histogram } : { to, toInstance: instance, count, errors, latencyMs: histogram };
}

/** A batch exactly as `IngestBatchSchema` would give it back (unknown keys dropped), or null when it might not accept it. */
function acceptedBatch(value: unknown): IngestBatch | null {
  if (!isObject(value)) return null;
  const { reporter, intervalStart, intervalSeconds, calls } = value;
  if (!isObject(reporter) || !isName(reporter.service) || !isName(reporter.instance)) return null;
  if (typeof intervalSeconds !== 'number' || !(intervalSeconds >= 0.001 && intervalSeconds <= MAX_INTERVAL_SECONDS)) return null;
  if (!Array.isArray(calls) || calls.length > MAX_CALLS_PER_BATCH || callSeconds(calls.length, intervalSeconds) > MAX_CALL_SECONDS_PER_BATCH) return null;
  if (typeof intervalStart !== 'string' || !IntervalStartSchema.safeParse(intervalStart).success) return null;
  const accepted: CallStats[] = new Array<CallStats>(calls.length);
  for (let i = 0; i < calls.length; i += 1) {
    const call = acceptedCall(calls[i]);
    if (!call) return null;
    accepted[i] = call;
  }
  return { reporter: { service: reporter.service, instance: reporter.instance }, intervalStart, intervalSeconds, calls: accepted };
}

/**
 * `IngestBatchSchema.safeParse`, the batches it accepts checked in one plain pass first: a schema
 * per call and per field cost ~40 µs of a 20-call batch, a third of the ingest work. What the pass
 * does not accept goes to the schema, so a refusal names the same field with the same message.
 */
export function parseIngestBatch(value: unknown): z.ZodSafeParseResult<IngestBatch> {
  const accepted = acceptedBatch(value);
  return accepted ? { success: true, data: accepted } : IngestBatchSchema.safeParse(value);
}
