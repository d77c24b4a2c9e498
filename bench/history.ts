import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { EVENT_KINDS, EventQuerySchema, type EventQuery, type NewHistoryEvent } from '@/lib/model/events';
import { openHistory } from '@/lib/server/history/store';
import { summarize, type Summary } from './stats';

export const EVENTS = 1_000_000;
export const TARGET_INSERTS_PER_SECOND = 10_000;
export const TARGET_QUERY_P99_MS = 50;
const QUERIES = 300;
const SERVICES = 200;
const INSTANCES_PER_SERVICE = 10;
const SPAN_MS = 30 * 86_400_000;

export interface HistoryBenchResult {
  events: number;
  ours: { insertsPerSecond: number; query: Summary };
  raw: { insertsPerSecond: number; query: Summary };
  databaseBytes: number;
}

/** Deterministic events over 30 days: 200 services × 10 instances, all kinds. */
function* generate(count: number, start: number): Generator<NewHistoryEvent> {
  for (let i = 0; i < count; i += 1) {
    const service = `svc-${i % SERVICES}`;
    yield {
      at: new Date(start + Math.floor((i / count) * SPAN_MS)).toISOString(),
      kind: EVENT_KINDS[i % 3 === 0 ? 2 : i % EVENT_KINDS.length] ?? 'health.changed',
      service,
      instance: `${service}-${(i >> 3) % INSTANCES_PER_SERVICE}`,
      from: 'passing',
      to: 'critical',
      detail: 'HTTP 503',
      naturalKey: `bench:${i}`,
    };
  }
}

/** The filtered reads an on-call engineer makes: by service, by kind in a day, by instance, page 2. */
function queries(start: number): EventQuery[] {
  const list: EventQuery[] = [];
  for (let i = 0; i < QUERIES; i += 1) {
    const service = `svc-${(i * 7) % SERVICES}`;
    const dayStart = start + (i % 30) * 86_400_000;
    const shapes: Record<string, string>[] = [
      { service },
      { kind: 'health.changed', since: new Date(dayStart).toISOString(), until: new Date(dayStart + 86_400_000).toISOString() },
      { instance: `${service}-${i % INSTANCES_PER_SERVICE}` },
      { service, kind: 'instance.deregistered,health.changed' },
      { since: new Date(dayStart).toISOString(), until: new Date(dayStart + 3_600_000).toISOString() },
    ];
    list.push(EventQuerySchema.parse({ limit: '200', ...shapes[i % shapes.length] }));
  }
  return list;
}

function rawInsert(file: string, events: NewHistoryEvent[]): { db: Database.Database; seconds: number } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table events (id integer primary key autoincrement, at_ms integer not null, kind text not null, service text, instance text,
    from_state text, to_state text, actor text, detail text not null, until_ms integer, natural_key text unique);
    create index events_at on events (at_ms, id); create index events_service_at on events (service, at_ms, id);
    create index events_kind_at on events (kind, at_ms, id); create index events_instance_at on events (instance, at_ms, id);`);
  const insert = db.prepare('insert or ignore into events (at_ms, kind, service, instance, from_state, to_state, detail, natural_key) values (?, ?, ?, ?, ?, ?, ?, ?)');
  const batch = db.transaction((rows: NewHistoryEvent[]) => {
    for (const e of rows) insert.run(Date.parse(e.at), e.kind, e.service, e.instance, e.from, e.to, e.detail, e.naturalKey);
  });
  const started = performance.now();
  for (let i = 0; i < events.length; i += 500) batch(events.slice(i, i + 500));
  return { db, seconds: (performance.now() - started) / 1_000 };
}

function rawQuery(db: Database.Database, query: EventQuery): void {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, ...values: (string | number)[]): void => {
    where.push(clause);
    params.push(...values);
  };
  if (query.service) add('service = ?', query.service);
  if (query.instance) add('instance = ?', query.instance);
  if (query.kind) add(`kind in (${query.kind.map(() => '?').join(',')})`, ...query.kind);
  if (query.since) add('at_ms >= ?', Date.parse(query.since));
  if (query.until) add('at_ms < ?', Date.parse(query.until));
  const sql = `select * from events ${where.length ? `where ${where.join(' and ')}` : ''} order by at_ms desc, id desc limit ?`;
  db.prepare(sql).all(...params, query.limit + 1);
}

/** 1,000,000 events through the product's history store vs raw better-sqlite3, then filtered reads on both. */
export async function runHistoryBench(workDir: string, log: (message: string) => void): Promise<HistoryBenchResult> {
  const start = Date.UTC(2026, 9, 1);
  const events = [...generate(EVENTS, start)];
  log(`history: inserting ${EVENTS.toLocaleString('en-US')} events with raw better-sqlite3 (baseline)`);
  const raw = rawInsert(path.join(workDir, 'raw.sqlite'), events);

  log('history: inserting the same through the history store (Kysely, batched, idempotent)');
  const history = await openHistory({ file: path.join(workDir, 'ours.sqlite'), flushMs: 5 });
  const oursStarted = performance.now();
  for (const event of events) history.append(event);
  await history.flush();
  const oursSeconds = (performance.now() - oursStarted) / 1_000;

  log(`history: ${QUERIES} filtered queries on each`);
  const list = queries(start);
  const oursTimes: number[] = [];
  const rawTimes: number[] = [];
  for (const query of list) {
    let t = performance.now();
    await history.query(query);
    oursTimes.push(performance.now() - t);
    t = performance.now();
    rawQuery(raw.db, query);
    rawTimes.push(performance.now() - t);
  }
  const databaseBytes = Number((raw.db.prepare('select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()').get() as { bytes: number }).bytes);
  raw.db.close();
  await history.close();
  return {
    events: EVENTS,
    ours: { insertsPerSecond: EVENTS / oursSeconds, query: summarize(oursTimes) },
    raw: { insertsPerSecond: EVENTS / raw.seconds, query: summarize(rawTimes) },
    databaseBytes,
  };
}
