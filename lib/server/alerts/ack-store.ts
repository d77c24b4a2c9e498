import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SeveritySchema, type Ack, type AckRequest } from '@/lib/model/alerts/acks';
import { AlertNameSchema } from '@/lib/model/alerts/rules';
import type { HistoryDatabase } from '../history/schema';

/** Active acknowledgements read at most at once: one per firing alert at most, so this is generous. */
export const MAX_ACTIVE_ACKS = 1_000;
/** Ids looked up per query by `owned`: well under SQLite's and PostgreSQL's parameter limits. */
const OWNED_CHUNK = 500;

type Row = { id: string; alertname: string; service: string; severity: string | null; reason: string | null; created_by: string; created_ms: number };
const COLUMNS = ['id', 'alertname', 'service', 'severity', 'reason', 'created_by', 'created_ms'] as const;

function toAck(row: Row): Ack | undefined {
  const alertname = AlertNameSchema.safeParse(row.alertname);
  if (!alertname.success) return undefined;
  // Null on rows from before it was stored (they cover either severity).
  const severity = SeveritySchema.safeParse(row.severity);
  return { id: row.id, alertname: alertname.data, service: row.service, ...(severity.success ? { severity: severity.data } : {}), ...(row.reason !== null ? { reason: row.reason } : {}), by: row.created_by, at: new Date(row.created_ms).toISOString() };
}

/** SQLite's and PostgreSQL's unique-violation codes: another acknowledgement of the same alert is active. */
function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** Acknowledgements of firing alerts, as stored (createAckStore). */
export interface AckStore {
  /** Acknowledgements not ended, newest first. */
  active(): Promise<Ack[]>;
  /** Undefined when the alert already has an active acknowledgement (the store keeps one per alert). */
  create(request: AckRequest, by: string, nowMs: number): Promise<Ack | undefined>;
  /** One active acknowledgement, from the store (another replica's cache may not have it yet). */
  find(id: string): Promise<Ack | undefined>;
  /** Ends an acknowledgement: withdrawn by someone, or (`by` undefined) its alert resolved. Undefined when it was not active. */
  end(id: string, by: string | undefined, nowMs: number): Promise<Ack | undefined>;
  /** Of these ids, those of acknowledgements in this store, active or ended: which Alertmanager silences of the previous format are ours. */
  owned(ids: readonly string[]): Promise<Set<string>>;
}

/** Acknowledgements in the shared store (SQLite or PostgreSQL), so every replica shows and honours the same ones. */
export function createAckStore(db: Kysely<HistoryDatabase>): AckStore {
  return {
    async active(): Promise<Ack[]> {
      const rows = await db.selectFrom('alert_acks').select(COLUMNS).where('ended_ms', 'is', null).orderBy('created_ms', 'desc').limit(MAX_ACTIVE_ACKS).execute();
      return rows.flatMap((row) => toAck(row) ?? []);
    },
    async create(request: AckRequest, by: string, nowMs: number): Promise<Ack | undefined> {
      const row: Row = { id: randomUUID(), alertname: request.alertname, service: request.service, severity: request.severity ?? null, reason: request.reason !== undefined && request.reason !== '' ? request.reason : null, created_by: by, created_ms: nowMs };
      try {
        await db.insertInto('alert_acks').values({ ...row, ended_ms: null, ended_by: null }).execute();
      } catch (error) {
        if (isUniqueViolation(error)) return undefined;
        throw error;
      }
      return toAck(row);
    },
    async find(id: string): Promise<Ack | undefined> {
      const row = await db.selectFrom('alert_acks').select(COLUMNS).where('id', '=', id).where('ended_ms', 'is', null).executeTakeFirst();
      return row ? toAck(row) : undefined;
    },
    async end(id: string, by: string | undefined, nowMs: number): Promise<Ack | undefined> {
      const row = await db.updateTable('alert_acks').set({ ended_ms: nowMs, ended_by: by ?? null }).where('id', '=', id).where('ended_ms', 'is', null).returning(COLUMNS).executeTakeFirst();
      return row ? toAck(row) : undefined;
    },
    async owned(ids: readonly string[]): Promise<Set<string>> {
      const found = new Set<string>();
      for (let start = 0; start < ids.length; start += OWNED_CHUNK) {
        const rows = await db.selectFrom('alert_acks').select('id').where('id', 'in', ids.slice(start, start + OWNED_CHUNK)).execute();
        for (const row of rows) found.add(row.id);
      }
      return found;
    },
  };
}
