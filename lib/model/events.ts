import { z } from 'zod';

export const EVENT_KINDS = [
  'instance.registered',
  'instance.deregistered',
  'health.changed',
  'instance.lost',
  'instance.lost_cleared',
  'instance.drained',
  'instance.undrained',
  'registry.disconnected',
  'registry.reconnected',
  'registry.resynced',
  'history.gap',
  'auth.login',
  'auth.login_failed',
  'auth.locked',
  'auth.logout',
  'auth.user_changed',
  'auth.token_created',
  'auth.token_revoked',
  'alert.fired',
  'alert.resolved',
  'alert.suppressed',
  'alert.delivery_failed',
  'alert.silenced',
  'alert.silence_ended',
  'alert.acknowledged',
  'alert.unacknowledged',
] as const;
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;

/** A history event as the API serves it (DESIGN §4). `detail` is always human-readable text. */
export interface HistoryEvent {
  id: number;
  at: string;
  kind: EventKind;
  service?: string;
  instance?: string;
  from?: string;
  to?: string;
  actor?: string;
  detail: string;
  /** Until when a gap or a timed drain lasted (ISO), where that applies. */
  until?: string;
  /**
   * On an `instance.lost_cleared` that is a return: the id the lost instance registered again under
   * (its own, or a new one: go-zero's key names its lease). Incidents follow its failure to that id
   * until it passes (incidents.ts); structured so that no wording and no id (fleet data) is parsed.
   * Rows written before 2026-12-06 lack it: read from their detail (`returnedAsInDetail`).
   */
  returnedAs?: string;
  /**
   * On a `health.changed` to `critical` that failed probes decided: when the first failed probe of
   * the streak that made it critical ran (ISO; the row's own `at` is the probe that reached the
   * threshold, ~10 s later). Incidents open there: where the trouble started. Rows written before
   * 2026-12-07, and changes that traffic or a loss decided, lack it.
   */
  firstFailedAt?: string;
}

/**
 * Between a probe failure's cause and the failing response's first bytes in a `health.changed`
 * detail: written by the health tracker, cut by incidents to the cause alone.
 */
export const RESPONSE_BEGAN = ' — response began: ';

/** The detail of a deregistration found by a relist: the instance went while Switchyard was down or cut off. */
export const GONE_UNWATCHED = 'gone while Switchyard was not watching';
/** How the detail of a registration found by Switchyard's first list begins (the fleet as it found it). */
export const PRESENT_AT_START = 'present when Switchyard started';

/** What producers hand the history store; `naturalKey` makes replays (relists, restarts) idempotent. */
export type NewHistoryEvent = Omit<HistoryEvent, 'id'> & { naturalKey?: string };

const isoTime = z.iso.datetime({ offset: true });

/** The latest time a Date can hold (ms): a cursor past it was never a page's `nextCursor`. */
const MAX_DATE_MS = 8.64e15;

/**
 * `<at_ms>:<id>` of a page's last row. Out of range (past a Date, or past what a double holds
 * exactly) it compared as "older than everything" and silently restarted at the newest page.
 */
const isCursor = (value: string): boolean => {
  const match = /^(\d+):(\d+)$/.exec(value);
  return match !== null && Number(match[1]) <= MAX_DATE_MS && Number.isSafeInteger(Number(match[2]));
};

/** The fields of `GET /api/v1/events` (contract), before the check across them. */
const EventQueryFields = z.object({
  service: z.string().min(1).max(256).optional(),
  instance: z.string().min(1).max(256).optional(),
  kind: z
    .string()
    .transform((value) => value.split(',').filter((part) => part.length > 0))
    .pipe(z.array(EventKindSchema).min(1))
    .optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(5_000).default(200),
  cursor: z.string().refine(isCursor, 'cursor must be the nextCursor of a previous page').optional(),
});

// As incidents answer: a reversed range is a mistake to name, not an empty list.
const rangeInOrder = (query: { since?: string; until?: string }): boolean => query.since === undefined || query.until === undefined || Date.parse(query.since) < Date.parse(query.until);
const RANGE_IN_ORDER = { message: 'must be before until', path: ['since'] };

/** `GET /api/v1/events` query (contract). */
export const EventQuerySchema = EventQueryFields.refine(rangeInOrder, RANGE_IN_ORDER);

/**
 * `GET /api/v1/events/export`: the same filters without paging, and a format. Built from the fields
 * (zod refuses to `.omit` from a refined schema, at module load: the route failed `next build`).
 */
export const EventExportQuerySchema = EventQueryFields.omit({ limit: true, cursor: true })
  .extend({ format: z.enum(['csv', 'json']).default('csv') })
  .refine(rangeInOrder, RANGE_IN_ORDER);

export type EventQuery = z.infer<typeof EventQuerySchema>;

export interface EventPage {
  events: HistoryEvent[];
  nextCursor: string | null;
}
