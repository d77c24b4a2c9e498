import { z } from 'zod';
import { isStringRecord } from './fleet-record';

/** Registry formats Switchyard recognises (DESIGN §3). */
export const FORMATS = [
  'native',
  'plain',
  'go-zero',
  'kratos',
  'go-micro',
  'goframe',
  'jupiter',
  'grpc-go',
  'kitex',
  'hertz',
  'rpcx',
  'dubbo',
  'dubbo-app',
  'generic',
] as const;
export const FormatSchema = z.enum(FORMATS);
export type Format = z.infer<typeof FormatSchema>;

export const STATUSES = ['passing', 'warning', 'critical', 'unknown'] as const;
export const StatusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof StatusSchema>;
/** Warning or critical: an instance (or a service) in trouble, as against passing or not judged yet. */
export const isFailingStatus = (status: Status): boolean => status === 'warning' || status === 'critical';

export const DrainSchema = z.object({
  by: z.string(),
  reason: z.string(),
  at: z.string(),
  until: z.string().optional(),
});
export type Drain = z.infer<typeof DrainSchema>;

export const LastProbeSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
});
export type LastProbe = z.infer<typeof LastProbeSchema>;

/** How a probe may reach this instance, as the registration declares it. */
export const HealthCheckSchema = z.object({
  http: z.string().optional(),
  grpc: z.boolean().optional(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/**
 * Metadata as parsed from JSON, kept as is: `z.record` drops a `__proto__` key (to protect the
 * object it builds), but here that key is a stranger's data and must survive like any other.
 */
const MetadataSchema = z.custom<Record<string, string>>(isStringRecord, 'expected an object of strings');

/**
 * An instance whose key went with its lease after its probes failed (or with no probe passing):
 * it is kept on screen as `critical` until it registers again, is dismissed, or the retention ends.
 */
export const LostSchema = z.object({
  /**
   * When its failure began (ISO): its first failed probe before the key went, else the key's removal —
   * for one out of discovery too, and kept when it stops answering (its cause says when it did).
   */
  at: z.string(),
  /** One sentence: "lease expired at 09:32:41 UTC after probes failed from 09:32:31 UTC; last probe: connection refused". */
  cause: z.string(),
  /** Instances the service had in rotation just before this loss; once as many pass again the loss no longer degrades it. */
  passingBefore: z.number().int().nonnegative(),
  /** Its address still answered probes well after its key went: out of discovery, not crashed (an etcd session lost). */
  stillServing: z.literal(true).optional(),
  /**
   * Provisional: its lease ended while its probes passed and the still-serving check has not ruled
   * (lost/tracker.ts). Shown only when its service has no registered instance left, so the service
   * does not vanish; its status is `unknown`, never a loss: no alert, no incident, no history row.
   */
  checking: z.literal(true).optional(),
});
export type Lost = z.infer<typeof LostSchema>;

/** The signal behind a status: probes, the error rate or p95 of reported calls, fewer instances registered than within the last hour, or a loss the probes have not yet ruled on (an instance back in etcd after it, lost/tracker.ts). */
export const CauseKindSchema = z.enum(['probe', 'error_rate', 'latency', 'membership', 'lost']);
export type CauseKind = z.infer<typeof CauseKindSchema>;

/** Instance as served by the API and over Socket.IO (DESIGN §4 contract, plus `key`, `health`, `dependsOn`). */
export const InstanceSchema = z.object({
  id: z.string(),
  service: z.string(),
  /** etcd key the instance was decoded from; unique across the fleet. */
  key: z.string(),
  address: z.string(),
  format: FormatSchema,
  version: z.string().optional(),
  zone: z.string().optional(),
  weight: z.number().optional(),
  metadata: MetadataSchema,
  leaseTtl: z.number().optional(),
  health: HealthCheckSchema.optional(),
  dependsOn: z.array(z.string()).optional(),
  status: StatusSchema,
  /** Why the status is what it is ("timeout after 2 s", "HTTP 503", "not probed yet"). */
  statusCause: z.string().optional(),
  /** Which signal decided the status (the sentence is `statusCause`): for routing and alerting without parsing the sentence. */
  statusCauseKind: CauseKindSchema.optional(),
  /** When the status last changed (ISO). */
  statusSince: z.string().optional(),
  /** While warning or critical: when it left passing or unknown (ISO; a step between warning and critical keeps it). */
  failingSince: z.string().optional(),
  /** When it last passed again after not passing, having passed before in this run (ISO): a recovery, not a first pass. */
  recoveredAt: z.string().optional(),
  /**
   * When its status last went into or out of critical (ms since the epoch, oldest first;
   * `status/flapping.ts`): only those within the flapping window, and only once they are enough to
   * flap — every update of the instance carries them. Not `criticalChanges`: dc7921f sent ISO times
   * under that name, and a replica or browser still on it must ignore these, not fail on them.
   */
  criticalChangesMs: z.array(z.number()).max(64).optional(),
  /** The framework itself marks the instance out of rotation (rpcx state=inactive, dubbo Enable:false…). */
  offline: z.boolean().optional(),
  /** The key has no lease ("no lease — cannot expire"): a crashed instance stays until its key is deleted. */
  unleased: z.boolean().optional(),
  drain: DrainSchema.nullable(),
  /** While drained: whether calls to it have stopped (see lib/model/drain.ts). */
  drainState: z.enum(['draining', 'drained', 'no-traffic-data']).optional(),
  lastProbe: LastProbeSchema.optional(),
  /**
   * When its status last turned passing since this Switchyard started (ISO); absent when it has not
   * passed in this run. Stale registrations from an earlier run never pass, so they are not origins.
   */
  passedAt: z.string().optional(),
  /** Present while the instance is lost (DESIGN §6); its status is then `critical` (`unknown` while `lost.checking`). */
  lost: LostSchema.optional(),
});
export type Instance = z.infer<typeof InstanceSchema>;

export const ServiceSchema = z.object({
  name: z.string(),
  status: StatusSchema,
  /** Why the service has its status, when something other than every instance passing decides it. */
  cause: z.string().optional(),
  instances: z.array(InstanceSchema),
});
export type Service = z.infer<typeof ServiceSchema>;
