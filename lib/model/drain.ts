import { z } from 'zod';

export const MAX_REASON = 500;
/** Thirty days: a drain longer than that should be a decommission. */
export const MAX_DRAIN_TTL_SECONDS = 30 * 86_400;

/** `POST …/instances/{id}/drain` body (contract, plus the guard override). */
export const DrainRequestSchema = z
  .object({
    reason: z.string().trim().min(1, 'a reason is required').max(MAX_REASON),
    ttlSeconds: z.number().int().min(10).max(MAX_DRAIN_TTL_SECONDS).optional(),
    force: z.boolean().optional(),
  })
  .strict();
export type DrainRequest = z.infer<typeof DrainRequestSchema>;

/** `POST /api/v1/services/{service}/drain`: every instance of one zone or one version, as one action. */
export const BulkDrainRequestSchema = DrainRequestSchema.extend({
  zone: z.string().min(1).max(256).optional(),
  version: z.string().min(1).max(256).optional(),
}).refine((body) => body.zone !== undefined || body.version !== undefined, { message: 'name a zone or a version', path: ['zone'] });
export type BulkDrainRequest = z.infer<typeof BulkDrainRequestSchema>;

/**
 * Where a drained instance stands: `draining` while it still receives calls, `drained` once the
 * reported calls to it have been zero for the quiet period, `no-traffic-data` when nobody reports
 * calls to it (we cannot tell, and say so).
 */
export const DRAIN_STATES = ['draining', 'drained', 'no-traffic-data'] as const;
export type DrainState = (typeof DRAIN_STATES)[number];

/** Text kept in the database: PostgreSQL's text cannot hold NUL, and a row holding one is refused whole. */
export const withoutNul = (value: string): boolean => !value.includes('\u0000');

/**
 * A service or instance name an operator acts on: any name the registry accepts (1–256 characters,
 * control characters included but NUL, which PostgreSQL cannot store and the registry refuses), so
 * whatever the console lists can be drained, silenced and acknowledged. A service named `nl\nline`
 * alerted but every action on it answered 422. Bodies are JSON, paths percent-encoded
 * (`pathSegment`), logs go through `printable` and CSV quotes cells.
 */
export const FleetNameSchema = z
  .string()
  .min(1)
  .max(256)
  .refine(withoutNul, 'must not contain a NUL character');

/** Names and ids in URLs: also no `.`/`..` segments, which URL parsers resolve even encoded. */
export const PathNameSchema = FleetNameSchema.refine((value) => !value.split('/').some((part) => part === '.' || part === '..'), 'must not contain "." or ".." path segments');

export interface DrainActivity {
  /** Anyone reported calls to this instance in the last hour: we have traffic data at all. */
  reported: boolean;
  /** Start of the newest 1 s slot with calls to it, ms since the epoch; null when none in 15 min. */
  lastCallAtMs: number | null;
  /**
   * Reports of the seconds from here on may still arrive (ms; `arrivingFrom`): only the seconds
   * before it are known quiet. Absent when nothing is still arriving.
   */
  arrivingFromMs?: number | null;
  /**
   * When this process began to receive reports (ms). Before it, it knows the calls only by the
   * minutes the leader persisted, not second by second, and not when the next report is due.
   */
  watchingSinceMs?: number;
}

/**
 * The latest a report of calls can come after its seconds and still count (the metrics store's
 * REPORT_GRACE_SECONDS): a process that has seen no report for this long since it started knows
 * the seconds up to then are quiet; before that, a slow reporter's report may still be on its way.
 */
export const MAX_REPORT_LAG_MS = 90_000;

/**
 * `drained` once reported calls to the instance have been zero for `quietMs` since the drain
 * began, counting only seconds whose reports have all arrived; until then `draining`;
 * `no-traffic-data` when nobody reports calls to it. Counted up to now, an instance whose calls an
 * OpenTelemetry SDK reports every 60 s read `drained` 30 s into each minute while it still served.
 */
export function drainStateFrom(activity: DrainActivity, drainAtMs: number, nowMs: number, quietMs: number): DrainState {
  if (!activity.reported) return 'no-traffic-data';
  const { watchingSinceMs } = activity;
  // A process started after the drain (a replica restarted mid-deploy) counts quiet seconds only
  // from its start, and while every call it knows of is from before its start, until a report has
  // come or could have come, knows none: restarted with a
  // minute of calls restored and its reporter sending every 45 s, a replica read `drained` at once
  // while the others read `draining`, and `drain --wait` ends on the first `drained` it reads.
  const callsOnlyBefore = activity.lastCallAtMs === null || (watchingSinceMs !== undefined && activity.lastCallAtMs < watchingSinceMs);
  if (watchingSinceMs !== undefined && callsOnlyBefore && (activity.arrivingFromMs ?? null) === null && nowMs - watchingSinceMs < MAX_REPORT_LAG_MS) return 'draining';
  const knownFrom = Math.max(drainAtMs, watchingSinceMs ?? drainAtMs);
  const knownUntil = Math.min(nowMs, activity.arrivingFromMs ?? nowMs);
  if (knownUntil - knownFrom < quietMs) return 'draining';
  if (activity.lastCallAtMs !== null && activity.lastCallAtMs + 1_000 > knownUntil - quietMs) return 'draining';
  return 'drained';
}

const describeTtl = (seconds: number): string =>
  seconds % 3_600 === 0 ? `${seconds / 3_600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/**
 * A drain as history tells it: the reason and how long. The API and the watch both record a
 * drain under one natural key and whichever is written first stays, so both derive it from the
 * drain value itself.
 */
export function drainDetail(drain: { reason: string; at: string; until?: string }): string {
  if (!drain.until) return `${drain.reason} (until lifted)`;
  const seconds = Math.round((Date.parse(drain.until) - Date.parse(drain.at)) / 1_000);
  return `${drain.reason} (for ${describeTtl(seconds)})`;
}
