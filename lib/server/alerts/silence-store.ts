import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AlertNameSchema } from '@/lib/model/alerts/rules';
import type { Silence, SilenceRequest } from '@/lib/model/alerts/silences';
import type { SqlDialect } from '../history/migrations';
import type { HistoryDatabase } from '../history/schema';

/**
 * Silences active at most at once: each is an operator's action, so this is generous. Creation past
 * it is refused, so the engine can read every active silence: a list cut at the cap used to drop
 * the oldest, whose alerts then paged while the page still let them be lifted.
 */
export const MAX_ACTIVE_SILENCES = 1_000;
/**
 * Silences active at most per service: a token scoped to one service may silence it, and must not
 * fill the cap above for every other team. A service has a handful of alert names, so 100 is plenty.
 */
export const MAX_SERVICE_SILENCES = 100;
/** PostgreSQL advisory lock taken while a silence is counted and inserted (any fixed key of ours). */
const SILENCE_CAP_LOCK = 0x5377_5369;

export type SilenceCreation = { ok: true; silence: Silence } | { ok: false; message: string };

type Row = { id: string; service: string; alertname: string | null; reason: string; created_by: string; created_ms: number; until_ms: number };

function toSilence(row: Row): Silence {
  const alertname = AlertNameSchema.safeParse(row.alertname);
  return {
    id: row.id,
    service: row.service,
    ...(alertname.success ? { alertname: alertname.data } : {}),
    reason: row.reason,
    by: row.created_by,
    createdAt: new Date(row.created_ms).toISOString(),
    until: new Date(row.until_ms).toISOString(),
  };
}

/** Operators' silences, as stored (createSilenceStore). */
export interface SilenceStore {
  /** Every silence not ended and not expired at `nowMs` (at most MAX_ACTIVE_SILENCES), newest first. */
  active(nowMs: number): Promise<Silence[]>;
  /** A new silence from `nowMs` for the request's duration; refused (why) past MAX_ACTIVE_SILENCES or MAX_SERVICE_SILENCES. */
  create(request: SilenceRequest, by: string, nowMs: number): Promise<SilenceCreation>;
  /** One active silence, read from the store (the cache of another replica may not have it yet). */
  find(id: string, nowMs: number): Promise<Silence | undefined>;
  /** Lifts a silence early; undefined when there is no such active silence. */
  end(id: string, by: string, nowMs: number): Promise<Silence | undefined>;
}

/** Silences in the shared store (SQLite or PostgreSQL), so every replica honours the same ones. */
export function createSilenceStore(db: Kysely<HistoryDatabase>, dialect: SqlDialect): SilenceStore {
  return {
    async active(nowMs: number): Promise<Silence[]> {
      const rows = await db
        .selectFrom('alert_silences')
        .select(['id', 'service', 'alertname', 'reason', 'created_by', 'created_ms', 'until_ms'])
        .where('until_ms', '>', nowMs)
        .where('ended_ms', 'is', null)
        .orderBy('created_ms', 'desc')
        .execute();
      return rows.map(toSilence);
    },
    create(request: SilenceRequest, by: string, nowMs: number): Promise<SilenceCreation> {
      // Counted and inserted as one: replicas share the database, and two creations counting at once
      // must not both take the last place. PostgreSQL's read committed would let them (neither sees
      // the other's row), so the lock; SQLite's single connection runs a transaction alone.
      return db.transaction().execute(async (trx) => {
        if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${SILENCE_CAP_LOCK}::bigint)`.execute(trx);
        const counted = await trx
          .selectFrom('alert_silences')
          .select([(eb) => eb.fn.countAll<number>().as('all'), sql<number>`count(case when service = ${request.service} then 1 end)`.as('service')])
          .where('until_ms', '>', nowMs)
          .where('ended_ms', 'is', null)
          .executeTakeFirstOrThrow();
        if (counted.all >= MAX_ACTIVE_SILENCES) return { ok: false, message: `${MAX_ACTIVE_SILENCES} silences are active, the most held at once: lift one or wait for one to end` };
        if (counted.service >= MAX_SERVICE_SILENCES) return { ok: false, message: `${request.service} has ${MAX_SERVICE_SILENCES} active silences, the most one service may hold: lift one or wait for one to end` };
        const row: Row = { id: randomUUID(), service: request.service, alertname: request.alertname ?? null, reason: request.reason, created_by: by, created_ms: nowMs, until_ms: nowMs + request.durationSeconds * 1_000 };
        await trx.insertInto('alert_silences').values({ ...row, ended_ms: null, ended_by: null }).execute();
        return { ok: true, silence: toSilence(row) };
      });
    },
    async find(id: string, nowMs: number): Promise<Silence | undefined> {
      const row = await db
        .selectFrom('alert_silences')
        .select(['id', 'service', 'alertname', 'reason', 'created_by', 'created_ms', 'until_ms'])
        .where('id', '=', id)
        .where('ended_ms', 'is', null)
        .where('until_ms', '>', nowMs)
        .executeTakeFirst();
      return row ? toSilence(row) : undefined;
    },
    async end(id: string, by: string, nowMs: number): Promise<Silence | undefined> {
      const row = await db
        .updateTable('alert_silences')
        .set({ ended_ms: nowMs, ended_by: by })
        .where('id', '=', id)
        .where('ended_ms', 'is', null)
        .where('until_ms', '>', nowMs)
        .returning(['id', 'service', 'alertname', 'reason', 'created_by', 'created_ms', 'until_ms'])
        .executeTakeFirst();
      return row ? toSilence(row) : undefined;
    },
  };
}
