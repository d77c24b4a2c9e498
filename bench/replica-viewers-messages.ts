import { z } from 'zod';

/** IPC between bench/replicas.ts and its viewers' process (bench/replica-viewers.ts). */

export const ViewersRunSchema = z.object({
  type: z.literal('run'),
  etcdEndpoint: z.string(),
  /** One replica's base URL each; every one gets `viewersPerReplica` Socket.IO clients. */
  urls: z.array(z.string()).min(1).max(16),
  viewersPerReplica: z.number().int().min(1).max(50),
  token: z.string(),
  /** What each new instance registers: a live probe target, so the replicas' probes succeed. */
  address: z.string(),
  putsPerSecond: z.number().int().min(1).max(1_000),
  seconds: z.number().int().min(1).max(60),
});
export type ViewersRun = z.infer<typeof ViewersRunSchema>;

const SummarySchema = z.object({ count: z.number(), min: z.number(), mean: z.number(), p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() });

export const ViewersMeasuredSchema = z.object({
  type: z.literal('viewers-measured'),
  viewers: z.number().int(),
  puts: z.number().int(),
  putErrors: z.number().int(),
  /** Put acknowledged → the raw etcd watcher's event, per put. */
  raw: SummarySchema,
  /** Put acknowledged → the `service:delta` carrying it, per put and viewer. */
  ours: SummarySchema,
  rawMissing: z.number().int(),
  /** (put, viewer) pairs never delivered within the grace period. */
  oursMissing: z.number().int(),
});
export type ViewersMeasured = z.infer<typeof ViewersMeasuredSchema>;

export const ViewersMessageSchema = z.discriminatedUnion('type', [ViewersMeasuredSchema, z.object({ type: z.literal('failed'), message: z.string() })]);
export type ViewersMessage = z.infer<typeof ViewersMessageSchema>;
