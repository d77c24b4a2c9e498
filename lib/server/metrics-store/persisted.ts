import type { Kysely } from 'kysely';
import type { HistoryDatabase } from '../history/schema';
import { decodeMinutes, encodeMinutes, MAX_SERIES_ID } from './minute-codec';
import { seriesKeyFromText, seriesKeyText } from './series-key';
import { FIELDS } from './slots';
import type { ClosedMinutes } from './store';

export interface PersistedSeriesOptions {
  db: Kysely<HistoryDatabase>;
  /** Minutes older than this many days are pruned. */
  retentionDays: number;
  log: (message: string) => void;
  now?: () => number;
  /** Closed slots waiting for the store beyond this many are dropped, oldest minute first. */
  maxPendingRecords?: number;
  /** The first retry after a failed write (ms); each further failure doubles it, up to a minute. */
  retryMs?: number;
  /** Whether the hourly prune is this process's to run (the replicas' leader); always when unset. */
  shouldPrune?: () => boolean;
}

/** What `restoreInto` fills: the metrics store's `restorerFor`. */
export interface RestoreTarget {
  restorerFor(key: string): (minuteStart: number, fields: ArrayLike<number>) => void;
}

/** The charts read at most a day of minutes; older rows are kept for the retention only. */
export const RESTORE_WINDOW_MS = 86_400_000;
/** A key's `seen_ms` is refreshed at most this often, so keeping keys alive costs one update an hour. */
const SEEN_REFRESH_MS = 3_600_000;
/** The series caps (4,000 call + 10,000 probe series) for an hour of a store that does not answer. */
const DEFAULT_MAX_PENDING_RECORDS = 14_000 * 60;
/** Keys known to the writer; past this it forgets them all and asks the store again. */
const MAX_CACHED_KEYS = 100_000;
const KEY_CHUNK = 500;
const RESTORE_PAGE_ROWS = 32;
const PRUNE_CHUNK_ROWS = 100;
const MAX_RETRY_MS = 60_000;

/** One minute's closed slots, waiting to be written as one row. */
interface PendingMinute {
  minuteMs: number;
  keys: string[];
  fields: Float32Array;
}

const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The metrics store's closed minutes, kept in the history database (createPersistedSeries). */
export interface PersistedSeries {
  /** Queues one sweep's closed minute slots and starts writing them; returns at once. */
  enqueue(closed: ClosedMinutes): void;
  /** Reads the last day of persisted minutes into the rings (call before traffic is recorded); returns how many slots. */
  restoreInto(target: RestoreTarget): Promise<number>;
  /** Prunes now and then hourly. */
  start(): void;
  /** Deletes the minutes past the retention, and the keys no longer seen within it (when this process prunes); never throws. */
  prune(): Promise<void>;
  /** Resolves when everything queued so far is written (or a write failed and waits for its retry). */
  flush(): Promise<void>;
  /** Stops pruning and writes what is queued, once more if a retry was waiting; what still fails is logged as lost. */
  stop(): Promise<void>;
  /** Slots queued now; slots dropped (the queue full) and written, since start. */
  stats(): { pendingRecords: number; dropped: number; written: number };
}

/**
 * Closed minute slots written to the store off the request path (DESIGN: latency that survives a
 * restart): the metrics store's sweep hands them over, they are grouped by minute and written as
 * one packed row per minute and sweep (~2 rows a minute: probe minutes close 5 s after they end,
 * reported ones 90 s). The queue is bounded; a failed write is logged and retried with backoff;
 * nothing here throws into a caller. At start the last day is read back into the rings.
 */
export function createPersistedSeries(options: PersistedSeriesOptions): PersistedSeries {
  const { db, log } = options;
  const now = options.now ?? Date.now;
  const maxPendingRecords = options.maxPendingRecords ?? DEFAULT_MAX_PENDING_RECORDS;
  const retryMs = options.retryMs ?? 5_000;
  const pending: PendingMinute[] = [];
  let pendingRecords = 0;
  let dropped = 0;
  let written = 0;
  let failures = 0;
  let writing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;
  /** Store key → its row id and when its `seen_ms` was last set. */
  const known = new Map<string, { id: number; seenMs: number }>();

  const idsFor = async (keys: readonly string[]): Promise<void> => {
    const at = now();
    const missing = [...new Set(keys.filter((key) => !known.has(key)))];
    if (known.size + missing.length > MAX_CACHED_KEYS) known.clear();
    for (let i = 0; i < missing.length; i += KEY_CHUNK) {
      const texts = new Map(missing.slice(i, i + KEY_CHUNK).map((key) => [seriesKeyText(key), key]));
      await db
        .insertInto('series_keys')
        .values([...texts.keys()].map((key) => ({ key, seen_ms: at })))
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      const rows = await db.selectFrom('series_keys').select(['id', 'key', 'seen_ms']).where('key', 'in', [...texts.keys()]).execute();
      for (const row of rows) {
        const key = texts.get(row.key);
        if (key !== undefined) known.set(key, { id: row.id, seenMs: row.seen_ms });
      }
    }
    const stale = [...new Set(keys)].flatMap((key) => {
      const found = known.get(key);
      return found && found.seenMs < at - SEEN_REFRESH_MS ? [found] : [];
    });
    for (let i = 0; i < stale.length; i += KEY_CHUNK) {
      const chunk = stale.slice(i, i + KEY_CHUNK);
      await db.updateTable('series_keys').set({ seen_ms: at }).where('id', 'in', chunk.map((found) => found.id)).execute();
      for (const found of chunk) found.seenMs = at;
    }
  };

  const writeMinute = async (minute: PendingMinute): Promise<void> => {
    await idsFor(minute.keys);
    const ids: number[] = [];
    const fields = new Float32Array(minute.keys.length * FIELDS);
    minute.keys.forEach((key, record) => {
      const id = known.get(key)?.id;
      if (id === undefined || id > MAX_SERIES_ID) return;
      fields.set(minute.fields.subarray(record * FIELDS, (record + 1) * FIELDS), ids.length * FIELDS);
      ids.push(id);
    });
    if (ids.length === 0) return;
    const body = encodeMinutes(ids, fields);
    await db
      .insertInto('series_minutes')
      .values({ minute_ms: minute.minuteMs, records: ids.length, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) })
      .execute();
    written += ids.length;
  };

  /** Writes the queue in order; on a failure stops and schedules a retry. Never rejects. */
  const drain = async (): Promise<void> => {
    for (let next = pending[0]; next; next = pending[0]) {
      try {
        await writeMinute(next);
      } catch (error) {
        failures += 1;
        const delay = Math.min(MAX_RETRY_MS, retryMs * 2 ** (failures - 1));
        log(`latency series: writing ${next.keys.length} slot(s) of ${new Date(next.minuteMs).toISOString()} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${Math.round(delay / 1_000)} s, ${pendingRecords} slot(s) queued`);
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          schedule();
        }, delay);
        retryTimer.unref();
        return;
      }
      failures = 0;
      // The head may have been dropped meanwhile (the queue overflowed): remove only what was written.
      if (pending[0] === next) {
        pending.shift();
        pendingRecords -= next.keys.length;
      }
    }
  };

  /** One writer at a time; what was queued while it finished is taken up at once. */
  const schedule = (): void => {
    if (writing || retryTimer || pending.length === 0) return;
    writing = drain().finally(() => {
      writing = undefined;
      schedule();
    });
  };

  const prune = async (): Promise<void> => {
    if (options.shouldPrune && !options.shouldPrune()) return;
    const cutoff = now() - options.retentionDays * 86_400_000;
    try {
      for (;;) {
        const result = await db
          .deleteFrom('series_minutes')
          .where('id', 'in', (qb) => qb.selectFrom('series_minutes').select('id').where('minute_ms', '<', cutoff).limit(PRUNE_CHUNK_ROWS))
          .executeTakeFirst();
        if (Number(result.numDeletedRows) < PRUNE_CHUNK_ROWS) break;
        await yieldToRequests();
      }
      // A key written within the retention was seen less than SEEN_REFRESH_MS before its last minute.
      const keys = await db.deleteFrom('series_keys').where('seen_ms', '<', cutoff - SEEN_REFRESH_MS).executeTakeFirst();
      // A series that comes back after the retention must get a key row again, not its old id.
      if (Number(keys.numDeletedRows) > 0) known.clear();
    } catch (error) {
      log(`latency series: pruning failed (${error instanceof Error ? error.message : String(error)}); next try in an hour`);
    }
  };

  return {
    enqueue(closed: ClosedMinutes): void {
      const byMinute = new Map<number, { keys: string[]; records: number[] }>();
      closed.keys.forEach((key, record) => {
        const minuteMs = (closed.minuteStarts[record] ?? 0) * 1_000;
        let group = byMinute.get(minuteMs);
        if (!group) byMinute.set(minuteMs, (group = { keys: [], records: [] }));
        group.keys.push(key);
        group.records.push(record);
      });
      for (const [minuteMs, group] of [...byMinute].sort(([a], [b]) => a - b)) {
        const fields = new Float32Array(group.records.length * FIELDS);
        group.records.forEach((record, i) => fields.set(closed.fields.subarray(record * FIELDS, (record + 1) * FIELDS), i * FIELDS));
        pending.push({ minuteMs, keys: group.keys, fields });
        pendingRecords += group.keys.length;
      }
      let droppedNow = 0;
      while (pendingRecords > maxPendingRecords && pending.length > 0) {
        const oldest = pending.shift();
        pendingRecords -= oldest?.keys.length ?? 0;
        droppedNow += oldest?.keys.length ?? 0;
      }
      if (droppedNow > 0) {
        dropped += droppedNow;
        log(`latency series: the store is behind; dropped ${droppedNow} queued slot(s), oldest first (${dropped} since start)`);
      }
      schedule();
    },
    async restoreInto(target: RestoreTarget): Promise<number> {
      const since = now() - RESTORE_WINDOW_MS;
      const keyById = new Map<number, string>();
      const keys = await db.selectFrom('series_keys').select(['id', 'key', 'seen_ms']).where('seen_ms', '>=', since - SEEN_REFRESH_MS).execute();
      for (const row of keys) {
        const key = seriesKeyFromText(row.key);
        if (key === undefined) continue;
        keyById.set(row.id, key);
        if (known.size < MAX_CACHED_KEYS) known.set(key, { id: row.id, seenMs: row.seen_ms });
      }
      // One series lookup per series, not per slot: a day of 10,000 series is 14 million slots.
      const restorers = new Map<number, (minuteStart: number, fields: ArrayLike<number>) => void>();
      const restorerOf = (id: number): ((minuteStart: number, fields: ArrayLike<number>) => void) | undefined => {
        let found = restorers.get(id);
        if (found) return found;
        const key = keyById.get(id);
        if (key === undefined) return undefined;
        found = target.restorerFor(key);
        restorers.set(id, found);
        return found;
      };
      let restored = 0;
      let lastId = 0;
      for (;;) {
        const rows = await db
          .selectFrom('series_minutes')
          .select(['id', 'minute_ms', 'body'])
          .where('minute_ms', '>=', since)
          .where('id', '>', lastId)
          .orderBy('id')
          .limit(RESTORE_PAGE_ROWS)
          .execute();
        for (const row of rows) {
          const minuteStart = row.minute_ms / 1_000;
          decodeMinutes(row.body, (id, fields) => {
            const restore = restorerOf(id);
            if (!restore) return;
            restore(minuteStart, fields);
            restored += 1;
          });
          lastId = row.id;
        }
        if (rows.length < RESTORE_PAGE_ROWS) return restored;
        await yieldToRequests();
      }
    },
    start(): void {
      void prune();
      pruneTimer = setInterval(() => void prune(), 3_600_000);
      pruneTimer.unref();
    },
    prune,
    async flush(): Promise<void> {
      schedule();
      while (writing) await writing;
    },
    async stop(): Promise<void> {
      clearInterval(pruneTimer);
      // A write under way may yet fail and set a retry: wait for it, so that retry gets the one more attempt below.
      while (writing) await writing;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
      }
      schedule();
      while (writing) await writing;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
      }
      if (pendingRecords > 0) log(`latency series: ${pendingRecords} closed slot(s) not written before stopping`);
    },
    stats: () => ({ pendingRecords, dropped, written }),
  };
}
