import { z } from 'zod';

export const MAX_CALLS_PER_BATCH = 1_000;
export const MAX_BUCKETS = 64;
export const MAX_INTERVAL_SECONDS = 300;

const name = z.string().min(1).max(256);
const count = z.number().int().nonnegative().max(1e9);

const HistogramSchema = z
  .object({
    bounds: z.array(z.number().nonnegative().finite()).min(1).max(MAX_BUCKETS),
    counts: z.array(count).min(2).max(MAX_BUCKETS + 1),
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

/** `POST /api/v1/ingest/calls` (contract): call statistics a service reports about its outbound calls. */
export const IngestBatchSchema = z.object({
  reporter: z.object({ service: name, instance: name }),
  intervalStart: z.iso.datetime({ offset: true }),
  intervalSeconds: z.number().positive().max(MAX_INTERVAL_SECONDS),
  calls: z.array(CallStatsSchema).max(MAX_CALLS_PER_BATCH),
});
export type IngestBatch = z.infer<typeof IngestBatchSchema>;
export type CallStats = z.infer<typeof CallStatsSchema>;
