import { sql, type Selectable } from 'kysely';
import type { EventKind, EventPage, EventQuery, HistoryEvent, NewHistoryEvent } from '@/lib/model/events';
import { openStoreDatabase, type DatabaseLocation, type StoreDatabase } from './database';
import type { EventsTable } from './schema';
import { isRowRefused } from './unreachable';

export type HistoryOptions = DatabaseLocation & {
  now?: () => number;
  /** Events older than this are pruned (default 30 days). */
  retentionDays?: number;
  /** Queued events are written together at most this often (ms). */
  flushMs?: number;
  onAppended?: (events: HistoryEvent[]) => void;
  /** Failed writes and events dropped while the database refused them (default: stderr). */
  log?: (message: string) => void;
};

const BATCH_ROWS = 500;
/** Events held while the database refuses writes; beyond this the oldest go, counted in the log. */
const MAX_QUEUED_EVENTS = 100_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
const PRUNE_CHUNK = 5_000;
/**
 * Instances one `latestPerInstance` query looks up at most. They travel as one VALUES list (two
 * parameters each: 2,000 plus the kinds, under SQLite's 32,766 and PostgreSQL's 65,535), which no
 * compound-SELECT cap limits: a UNION ALL of one SELECT per instance hit SQLite's 500 terms
 * ("too many terms in compound SELECT" at 501).
 */
export const LATEST_PER_INSTANCE_MAX = 1_000;

/** The latest time a Date can hold (ms). */
const MAX_DATE_MS = 8.64e15;

/**
 * A row's `firstFailedAt`: only a time at or before the row's own, as the health tracker writes it.
 * Anything else in the column (edited, or past a Date: PostgreSQL's bigint comes back as a string
 * beyond 2^53) is not believed, rather than misdating an incident or failing every page it is on.
 */
function firstFailedOf(row: Pick<Selectable<EventsTable>, 'at_ms' | 'first_failed_ms'>): { firstFailedAt?: string } {
  const ms: unknown = row.first_failed_ms;
  return typeof ms === 'number' && Math.abs(ms) <= MAX_DATE_MS && ms <= row.at_ms ? { firstFailedAt: new Date(ms).toISOString() } : {};
}

export function toHistoryEvent(row: Selectable<EventsTable>): HistoryEvent {
  return {
    id: row.id,
    at: new Date(row.at_ms).toISOString(),
    kind: row.kind as EventKind,
    ...(row.service !== null ? { service: row.service } : {}),
    ...(row.instance !== null ? { instance: row.instance } : {}),
    ...(row.from_state !== null ? { from: row.from_state } : {}),
    ...(row.to_state !== null ? { to: row.to_state } : {}),
    ...(row.actor !== null ? { actor: row.actor } : {}),
    detail: row.detail,
    ...(row.until_ms !== null ? { until: new Date(row.until_ms).toISOString() } : {}),
    ...(row.returned_as !== null ? { returnedAs: row.returned_as } : {}),
    ...firstFailedOf(row),
  };
}

/** Milliseconds of an ISO time, or undefined if it is none (history's columns hold numbers, never NaN). */
const msOf = (iso: string | undefined): number | undefined => {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * Free text as PostgreSQL can store it: a NUL character (a drain reason or cause quoting fleet data)
 * is refused by its text type, and with it the whole batch. Names never hold one (the registry's
 * decoding refuses them), so queries by name need no such mapping.
 */
const storable = (text: string): string => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

/** An event whose time is not one is kept, dated when it is written. */
const toRow = (event: NewHistoryEvent, nowMs: number) => ({
  at_ms: msOf(event.at) ?? nowMs,
  kind: event.kind,
  service: event.service ?? null,
  instance: event.instance ?? null,
  from_state: event.from === undefined ? null : storable(event.from),
  to_state: event.to === undefined ? null : storable(event.to),
  actor: event.actor === undefined ? null : storable(event.actor),
  detail: storable(event.detail),
  until_ms: msOf(event.until) ?? null,
  natural_key: event.naturalKey ?? null,
  returned_as: event.returnedAs ?? null,
  first_failed_ms: msOf(event.firstFailedAt) ?? null,
});

/**
 * The durable event log, in SQLite (WAL, `synchronous=FULL`) or PostgreSQL (`database.ts`). Writes
 * are queued and committed together (one statement per batch); `natural_key` makes replays
 * idempotent, on one replica or several.
 */
/** A never-closed event of one natural key (a registration or a drain). */
type OpenEvent = { naturalKey: string; service: string; instance: string };
/** What a run saw of one etcd cluster (its id and the highest revision seen). */
type Lineage = { clusterId: string; highestRevision: string; seenMs: number };

/** The durable event log (failure history) on the shared store, and the runs that wrote it. */
export interface History {
  /** The store's database, shared by auth. */
  db: StoreDatabase['db'];
  dialect: StoreDatabase['dialect'];
  /** Queues an event; it is committed within `flushMs` (default 50 ms). */
  append(event: NewHistoryEvent): void;
  /** Commits every queued event. */
  flush(): Promise<void>;
  /** One page of events, newest first (`GET /api/v1/events`, uptime, incidents, export). */
  query(query: EventQuery): Promise<EventPage>;
  /**
   * The newest row of `kinds` for each of `instances` (by service and instance), whoever wrote it;
   * none for an instance without such a row. One query for all of them (each instance's newest row
   * of each kind found by one seek on the service-instance-kind index): at most
   * `LATEST_PER_INSTANCE_MAX` instances per call. `beforeMs`: the newest before that time (exclusive).
   */
  latestPerInstance(instances: readonly { service: string; instance: string }[], kinds: readonly EventKind[], beforeMs?: number): Promise<HistoryEvent[]>;
  /** Starts a run; returns when the previous one ended, if the dashboard was not watching in between. */
  beginRun(): Promise<{ runId: number; previousEnd: { atMs: number; clean: boolean } | null }>;
  heartbeat(runId: number): Promise<void>;
  endRun(runId: number): Promise<void>;
  /** Registrations recorded and never closed, oldest first. */
  openRegistrations(): Promise<OpenEvent[]>;
  /** Drains recorded and never lifted, oldest first. */
  openDrains(): Promise<OpenEvent[]>;
  lineages(): Promise<Array<[string, Lineage]>>;
  saveLineage(id: string, record: Lineage): Promise<void>;
  /** Deletes events older than `cutoffMs` in chunks; the number removed. */
  pruneOlderThan(cutoffMs: number): Promise<number>;
  /** The time before which events are pruned (retention). */
  retentionCutoff(): number;
  close(): Promise<void>;
}

export async function openHistory(options: HistoryOptions): Promise<History> {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message: string) => console.error(message));
  const database = await openStoreDatabase(options.url !== undefined ? { url: options.url } : { file: options.file }, { log });
  const { db } = database;

  const queue: NewHistoryEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  /** Writes failed in a row (the retry's back-off), and events dropped meanwhile. */
  let failures = 0;
  let dropped = 0;

  const insert = (batch: readonly NewHistoryEvent[]) =>
    db
      .insertInto('events')
      .values(batch.map((event) => toRow(event, now())))
      .onConflict((conflict) => conflict.column('natural_key').doNothing())
      .returningAll()
      .execute();

  /**
   * A batch the database refused for what one of its rows holds: its rows one at a time, each row
   * refused alone dropped with a log line, so one bad row cannot hold back every event after it.
   * Stops at any other failure (the database gone meanwhile), leaving the rest queued.
   */
  const insertRowByRow = async (batch: readonly NewHistoryEvent[]): Promise<{ inserted: Selectable<EventsTable>[]; failure?: unknown }> => {
    const inserted: Selectable<EventsTable>[] = [];
    let refused = 0;
    let firstRefusal = '';
    const report = (): void => {
      if (refused > 0) log(`history: dropped ${refused} event(s) the database refuses, the first ${firstRefusal}`);
    };
    for (const event of batch) {
      try {
        inserted.push(...(await insert([event])));
      } catch (error) {
        if (!isRowRefused(error)) {
          report();
          return { inserted, failure: error };
        }
        // One line per batch, not per row: a fault refusing every row must not write 100,000 lines.
        if (refused++ === 0) firstRefusal = `a ${event.kind} event of ${JSON.stringify(event.service ?? '')} (${error instanceof Error ? error.message : String(error)})`;
      }
      // Unless `append` dropped it meanwhile, past MAX_QUEUED_EVENTS: then the head is a later event, not yet written.
      if (queue[0] === event) queue.shift();
    }
    report();
    return { inserted };
  };

  /**
   * A failed batch stays at the head of the queue and is tried again after a back-off: never an
   * unhandled rejection, never lost — unless the database refuses a row of it for what it holds.
   */
  const write = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, BATCH_ROWS);
      let inserted;
      try {
        inserted = await insert(batch);
        queue.splice(0, batch.length);
      } catch (batchError) {
        let error = batchError;
        if (isRowRefused(batchError)) {
          const rowByRow = await insertRowByRow(batch);
          if (rowByRow.inserted.length > 0) options.onAppended?.(rowByRow.inserted.map(toHistoryEvent));
          if (rowByRow.failure === undefined) {
            // The database answered every row: it is writing again.
            failures = 0;
            continue;
          }
          error = rowByRow.failure;
        }
        failures += 1;
        const delayMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
        log(`history: writing ${batch.length} event(s) failed (${error instanceof Error ? error.message : String(error)}); ${queue.length} queued, retrying in ${delayMs / 1_000} s`);
        if (!closed) timer ??= setTimeout(() => void flush(), delayMs);
        return;
      }
      if (failures > 0 || dropped > 0) log(`history: writing again${dropped > 0 ? `; ${dropped} event(s) were dropped while it failed (more than ${MAX_QUEUED_EVENTS} queued)` : ''}`);
      failures = 0;
      dropped = 0;
      if (inserted.length > 0) options.onAppended?.(inserted.map(toHistoryEvent));
      // A batch blocks the loop for ~10 ms; a burst (a fleet deregistering) must not add them up.
      if (queue.length > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write, write);
    return writing;
  };

  /**
   * Events of `opened` with no `closed` event of the same natural key (they differ only in the
   * kind at the end), so the unique index answers each lookup.
   */
  const unclosed = async (opened: EventKind, closed: EventKind): Promise<Array<{ naturalKey: string; service: string; instance: string }>> => {
    const rows = await db
      .selectFrom('events as o')
      .select(['o.natural_key', 'o.service', 'o.instance'])
      .where('o.kind', '=', opened)
      .where('o.natural_key', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('events as c').select('c.id').where('c.natural_key', '=', sql<string>`substr(o.natural_key, 1, length(o.natural_key) - ${opened.length}) || ${closed}`))),
      )
      .orderBy('o.id')
      .execute();
    return rows.flatMap((row) => (row.natural_key !== null && row.service !== null && row.instance !== null ? [{ naturalKey: row.natural_key, service: row.service, instance: row.instance }] : []));
  };

  const pruneOlderThan = async (cutoffMs: number): Promise<number> => {
    let removed = 0;
    for (;;) {
      const result = await db
        .deleteFrom('events')
        .where('id', 'in', (qb) => qb.selectFrom('events').select('id').where('at_ms', '<', cutoffMs).limit(PRUNE_CHUNK))
        .executeTakeFirst();
      const count = Number(result.numDeletedRows);
      removed += count;
      if (count < PRUNE_CHUNK) return removed;
      // Yield between chunks so requests are served while a large backlog is pruned.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  return {
    db,
    dialect: database.dialect,
    /** Queues an event; it is committed within `flushMs` (default 50 ms). */
    append(event: NewHistoryEvent): void {
      if (closed) return;
      if (queue.length >= MAX_QUEUED_EVENTS) {
        queue.shift();
        dropped += 1;
      }
      queue.push(event);
      // While writes fail, the back-off's timer decides when to try again.
      if (queue.length >= BATCH_ROWS && failures === 0) void flush();
      else timer ??= setTimeout(() => void flush(), options.flushMs ?? 50);
    },
    flush,
    async query(query: EventQuery): Promise<EventPage> {
      let select = db.selectFrom('events').selectAll();
      if (query.service) select = select.where('service', '=', query.service);
      if (query.instance) select = select.where('instance', '=', query.instance);
      if (query.kind) select = select.where('kind', 'in', query.kind);
      if (query.since) select = select.where('at_ms', '>=', Date.parse(query.since));
      if (query.until) select = select.where('at_ms', '<', Date.parse(query.until));
      if (query.cursor) {
        const [atMs, id] = query.cursor.split(':').map(Number) as [number, number];
        select = select.where((eb) => eb.or([eb('at_ms', '<', atMs), eb.and([eb('at_ms', '=', atMs), eb('id', '<', id)])]));
      }
      const rows = await select.orderBy('at_ms', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return { events: page.map(toHistoryEvent), nextCursor: rows.length > query.limit && last ? `${last.at_ms}:${last.id}` : null };
    },
    async latestPerInstance(instances: readonly { service: string; instance: string }[], kinds: readonly EventKind[], beforeMs?: number): Promise<HistoryEvent[]> {
      if (instances.length > LATEST_PER_INSTANCE_MAX) throw new RangeError(`latestPerInstance: ${instances.length} instances in one query, at most ${LATEST_PER_INSTANCE_MAX}`);
      if (instances.length === 0 || kinds.length === 0) return [];
      const wanted = sql.join(instances.map(({ service, instance }) => sql`(${service}, ${instance})`));
      const kindRows = sql.join([...new Set(kinds)].map((kind) => sql`(${kind})`));
      const before = beforeMs === undefined ? sql`` : sql` AND e.at_ms < ${beforeMs}`;
      // One id per instance and kind, its newest row of that kind: a scalar subquery one seek on the
      // (service, instance, kind, at_ms, id) index answers (migration 009). On (service, instance,
      // at_ms, id) alone it walked back past every row of other kinds (a flapping instance's health
      // rows when asked for losses; on PostgreSQL a heap read each, `kind` not in that index).
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where(
          sql<boolean>`id IN (WITH wanted(service, instance) AS (VALUES ${wanted}), kinds(kind) AS (VALUES ${kindRows})
            SELECT (SELECT e.id FROM events e WHERE e.service = wanted.service AND e.instance = wanted.instance AND e.kind = kinds.kind${before} ORDER BY e.at_ms DESC, e.id DESC LIMIT 1)
            FROM wanted CROSS JOIN kinds)`,
        )
        .execute();
      // The newest of each instance's rows (one per kind), by time then id.
      const newest = new Map<string, (typeof rows)[number]>();
      for (const row of rows) {
        const key = `${row.service ?? ''}\u0000${row.instance ?? ''}`;
        const seen = newest.get(key);
        if (!seen || row.at_ms > seen.at_ms || (row.at_ms === seen.at_ms && row.id > seen.id)) newest.set(key, row);
      }
      return [...newest.values()].map(toHistoryEvent);
    },
    /** Starts a run; returns when the previous one ended, if the dashboard was not watching in between. */
    async beginRun(): Promise<{ runId: number; previousEnd: { atMs: number; clean: boolean } | null }> {
      const previous = await db.selectFrom('runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
      const started = now();
      const run = await db.insertInto('runs').values({ started_ms: started, alive_ms: started, stopped_ms: null }).returning('id').executeTakeFirstOrThrow();
      const previousEnd = previous ? { atMs: previous.stopped_ms ?? previous.alive_ms, clean: previous.stopped_ms !== null } : null;
      return { runId: run.id, previousEnd };
    },
    async heartbeat(runId: number): Promise<void> {
      await db.updateTable('runs').set({ alive_ms: now() }).where('id', '=', runId).execute();
    },
    async endRun(runId: number): Promise<void> {
      await db.updateTable('runs').set({ alive_ms: now(), stopped_ms: now() }).where('id', '=', runId).execute();
    },
    /** Registrations recorded and never closed (no deregistration with the same natural key), oldest first. */
    openRegistrations: () => unclosed('instance.registered', 'instance.deregistered'),
    /** Drains recorded and never lifted, oldest first. */
    openDrains: () => unclosed('instance.drained', 'instance.undrained'),
    async lineages(): Promise<Array<[string, { clusterId: string; highestRevision: string; seenMs: number }]>> {
      const rows = await db.selectFrom('lineages').selectAll().execute();
      return rows.map((row) => [row.id, { clusterId: row.cluster_id, highestRevision: row.highest_revision, seenMs: row.seen_ms }]);
    },
    async saveLineage(id: string, record: { clusterId: string; highestRevision: string; seenMs: number }): Promise<void> {
      const values = { cluster_id: record.clusterId, highest_revision: record.highestRevision, seen_ms: record.seenMs };
      await db.insertInto('lineages').values({ id, ...values }).onConflict((conflict) => conflict.column('id').doUpdateSet(values)).execute();
    },
    pruneOlderThan,
    retentionCutoff: () => now() - (options.retentionDays ?? 30) * 86_400_000,
    async close(): Promise<void> {
      await flush();
      closed = true;
      clearTimeout(timer);
      if (queue.length > 0) log(`history: closing with ${queue.length} event(s) not written`);
      await database.close();
    },
  };
}

