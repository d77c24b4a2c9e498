import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AlertNameSchema } from '@/lib/model/alerts/rules';
import type { Silence, SilenceRequest } from '@/lib/model/alerts/silences';
import type { HistoryDatabase } from '../history/schema';

/** Silences held at most at once: each is an operator's action, so this is generous. */
export const MAX_ACTIVE_SILENCES = 1_000;

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
  /** Silences not ended and not expired at `nowMs`, newest first. */
  active(nowMs: number): Promise<Silence[]>;
  /** A new silence from `nowMs` for the request's duration. */
  create(request: SilenceRequest, by: string, nowMs: number): Promise<Silence>;
  /** One active silence, read from the store (the cache of another replica may not have it yet). */
  find(id: string, nowMs: number): Promise<Silence | undefined>;
  /** Lifts a silence early; undefined when there is no such active silence. */
  end(id: string, by: string, nowMs: number): Promise<Silence | undefined>;
}

/** Silences in the shared store (SQLite or PostgreSQL), so every replica honours the same ones. */
export function createSilenceStore(db: Kysely<HistoryDatabase>): SilenceStore {
  return {
    async active(nowMs: number): Promise<Silence[]> {
      const rows = await db
        .selectFrom('alert_silences')
        .select(['id', 'service', 'alertname', 'reason', 'created_by', 'created_ms', 'until_ms'])
        .where('until_ms', '>', nowMs)
        .where('ended_ms', 'is', null)
        .orderBy('created_ms', 'desc')
        .limit(MAX_ACTIVE_SILENCES)
        .execute();
      return rows.map(toSilence);
    },
    async create(request: SilenceRequest, by: string, nowMs: number): Promise<Silence> {
      const row: Row = { id: randomUUID(), service: request.service, alertname: request.alertname ?? null, reason: request.reason, created_by: by, created_ms: nowMs, until_ms: nowMs + request.durationSeconds * 1_000 };
      await db.insertInto('alert_silences').values({ ...row, ended_ms: null, ended_by: null }).execute();
      return toSilence(row);
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
