import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { MarkingPostgresDialect } from './database-errors';
import { migrationProviderFor, type SqlDialect } from './migrations';
import type { HistoryDatabase } from './schema';

/** Where the store lives: a SQLite file (`:memory:` for throwaway use) or a PostgreSQL URL. */
export type DatabaseLocation = { file: string; url?: undefined } | { url: string; file?: undefined };

/** The opened, migrated store that history, users, sessions, tokens and audit share. */
export interface StoreDatabase {
  db: Kysely<HistoryDatabase>;
  dialect: SqlDialect;
  /** Closes the SQLite file or ends the PostgreSQL pool. */
  close(): Promise<void>;
}

const INT8_OID = 20;
export const POOL_MAX = 10;
/**
 * How long a new PostgreSQL connection may take. A database host that drops packets answers
 * nothing; without a bound every lookup waits on it for good instead of being told "unreachable"
 * (answered 503, lib/server/history/unreachable.ts). Generous: a failover's new primary is slow.
 */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long a query may wait for a pooled client. On a network that drops packets the queries
 * already sent never come back, and without a bound every later request queued behind them for
 * good (the connect bound covers new connections only). Every client busy this long means the
 * database is not answering: the request is answered 503 `database_unavailable` like any outage.
 * Past `CONNECT_TIMEOUT_MS`, so a new connection's own bound reports first, with its cause.
 */
export const CHECKOUT_TIMEOUT_MS = CONNECT_TIMEOUT_MS + 2_000;
/**
 * How long a pooled client may be held by one query (or one of the two short transactions, auth's
 * admin count and the silences' cap) before its connection is taken for dead and dropped. A database
 * host gone without a reset (a failover to a new primary behind the same address, a network cut)
 * never answers the query, and the kernel gives up on the connection only after ~15 min
 * (`tcp_retries2`): with every client stuck like that, requests were answered 503 that long though
 * the new primary was up. Every query here is paged or chunked (history pages of ≤ 5,000 rows,
 * exports by 2,000, pruning by 5,000; filtered reads of 1,000,000 events take ms, docs/BENCHMARKS.md
 * §5), so 30 s is far above any, and a failover costs half a minute. Migrations are exempt (the
 * bound is armed after them): one replica's may wait on another's migration lock.
 */
export const QUERY_TIMEOUT_MS = 30_000;

/**
 * `pg` returns int8 (`bigint` columns, `COUNT(*)`) as strings; every int8 here is a millisecond
 * time, an id or a count, far inside 2^53, so it is read as a number. A value beyond that stays the
 * driver's exact string rather than a silently rounded number.
 */
export const parseInt8 = (text: string): number | string => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
};

const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

function openSqlite(file: string): Kysely<HistoryDatabase> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL with synchronous=FULL: a committed batch survives a crash or power loss.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/**
 * A client whose connecting is bounded on the client itself: the pool's `connectionTimeoutMillis`
 * is the longer wait for a free client (`CHECKOUT_TIMEOUT_MS`), and a new connection's failure
 * should say why (refused, timed out) rather than that the wait ran out.
 */
class BoundedConnectClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(typeof config === 'string' ? { connectionString: config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS } : { ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  }
}

function openPostgres(url: string): { db: Kysely<HistoryDatabase>; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX, types: pgTypes, Client: BoundedConnectClient, connectionTimeoutMillis: CHECKOUT_TIMEOUT_MS });
  // An idle client losing its connection (a database restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor a checked-out one: pg emits 'error' after failing its query, and the pool listens only while it is idle.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { db: new Kysely<HistoryDatabase>({ dialect: new MarkingPostgresDialect({ pool }) }), pool };
}

/** The protocol's CancelRequest code (PostgreSQL docs, "Message Formats"). */
const CANCEL_REQUEST_CODE = 80_877_102;

/**
 * Asks the server to cancel what a client's backend is running, as libpq's `PQcancel` does: a
 * CancelRequest with the backend's pid and secret key (pg keeps both from the connection's start
 * but has no public API to send them), on a connection of its own, no login needed. A dropped
 * socket alone is not noticed by a backend until it has something to send, so on a live but slow
 * server the query ran on, holding its backend and locks, while the pool connected afresh beside
 * it. The key makes it safe after a failover: a new primary with the same pid ignores it. Fire and
 * forget, bounded like a connect: a host gone answers nothing, and then there is nothing to cancel.
 */
function cancelOnServer(client: pg.PoolClient): void {
  const { processID, secretKey, host, port } = client as unknown as { processID: unknown; secretKey: unknown; host: string; port: number };
  if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
  sendCancelRequest({ host, port, processID, secretKey });
}

/**
 * Sends one CancelRequest (`cancelOnServer`), bounded at `CONNECT_TIMEOUT_MS` and holding no process
 * up; returns its connection, which nobody needs to await.
 */
export function sendCancelRequest(target: { host: string; port: number; processID: number; secretKey: number }): net.Socket {
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  request.writeInt32BE(target.processID, 8);
  request.writeInt32BE(target.secretKey, 12);
  const socket = target.host.startsWith('/') ? net.connect(`${target.host}/.s.PGSQL.${target.port}`) : net.connect(target.port, target.host);
  // Nothing waits for it: a cancel to a host that never answers must not keep a stopping process alive.
  socket.unref();
  // From the start, not idle time: a server that takes the request and never closes is dropped too.
  const deadline = setTimeout(() => socket.destroy(), CONNECT_TIMEOUT_MS);
  deadline.unref();
  socket.on('close', () => clearTimeout(deadline));
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.end(request));
  return socket;
}

/**
 * Drops the connection of a client held past `QUERY_TIMEOUT_MS`: pg fails its query (unreachable,
 * answered 503) and marks the client unusable, so the pool discards it on release and connects
 * afresh; the server is asked to cancel the query (`cancelOnServer`). pg's own `query_timeout`
 * fails the query but leaves the connection waiting, and Kysely releases it as healthy: the pool
 * would hand out the stuck client again.
 */
function boundQueries(pool: pg.Pool): void {
  const deadlines = new WeakMap<pg.PoolClient, NodeJS.Timeout>();
  pool.on('acquire', (client) => {
    const deadline = setTimeout(() => {
      const error = Object.assign(new Error(`no answer from PostgreSQL within ${QUERY_TIMEOUT_MS / 1000} s; connection dropped`), { code: 'ETIMEDOUT' });
      cancelOnServer(client);
      client.connection.stream.destroy(error);
    }, QUERY_TIMEOUT_MS);
    deadline.unref();
    deadlines.set(client, deadline);
  });
  pool.on('release', (_error, client) => clearTimeout(deadlines.get(client)));
}

/**
 * How long a PostgreSQL migration waits for a table lock (`lock_timeout`, local to the migrations'
 * transaction). Adding a column takes the table's ACCESS EXCLUSIVE lock, which waits for every
 * query in flight on it (up to `QUERY_TIMEOUT_MS`), and every query of every replica that asks for
 * the table meanwhile queues behind the request: during a rolling upgrade the replicas still
 * serving froze. Giving up after this long bounds that queue; the migration is tried again.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 2_000;
/**
 * Attempts before the start fails. Their waits and pauses (`migrationPauseMs`) span 41 s, past
 * the 30 s a query in flight may hold its lock, so a busy table is no reason to fail; a lock held
 * longer is an operator's (an open transaction in psql), and the error names it.
 */
export const MIGRATION_ATTEMPTS = 8;
/** The pause after failed attempt `attempt` (1-based): 1, 2, 3, 4, then 5 s, for the queued queries to drain. */
const migrationPauseMs = (attempt: number): number => Math.min(attempt, 5) * 1_000;
/** PostgreSQL's `lock_not_available`, what `lock_timeout` raises. */
const LOCK_NOT_AVAILABLE = '55P03';

const isLockTimeout = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === LOCK_NOT_AVAILABLE;

/** The migrations, each run after `lock_timeout` is set for the transaction they run in on PostgreSQL. */
function withLockTimeout(provider: MigrationProvider): MigrationProvider {
  return {
    async getMigrations() {
      const bound = (migration: Migration): Migration => ({
        ...migration,
        async up(db) {
          await sql`select set_config('lock_timeout', ${`${MIGRATION_LOCK_TIMEOUT_MS}ms`}, true)`.execute(db);
          await migration.up(db);
        },
      });
      return Object.fromEntries(Object.entries(await provider.getMigrations()).map(([name, migration]) => [name, bound(migration)]));
    },
  };
}

/**
 * Brings the schema to this release's latest migration, or accepts one a newer release took further
 * (every migration of this release applied, and more): a replica of the previous version restarted
 * during a rolling upgrade, after an upgraded one migrated, failed to start on Kysely's "corrupted
 * migrations: previously executed migration … is missing". Migrations only add (nullable columns,
 * tables, indexes), so it runs on that schema as it ran beside the replica that made it.
 */
export async function migrateOrAcceptNewer<DB>(db: Kysely<DB>, dialect: SqlDialect): Promise<{ error?: unknown; lockedOut?: string }> {
  const migrator = new Migrator({ db, provider: dialect === 'postgres' ? withLockTimeout(migrationProviderFor(dialect)) : migrationProviderFor(dialect) });
  const migrated = await migrator.migrateToLatest();
  if (migrated.error === undefined) return {};
  const newer = migrated.error instanceof Error && /^corrupted migrations: previously executed migration .+ is missing$/.test(migrated.error.message);
  if (newer && (await migrator.getMigrations()).every((migration) => migration.executedAt !== undefined)) return {};
  return { error: migrated.error, ...(isLockTimeout(migrated.error) ? { lockedOut: migrated.results?.find((result) => result.status === 'Error')?.migrationName ?? 'a migration' } : {}) };
}

/**
 * `migrateOrAcceptNewer`, tried again while a migration gives up a table lock (`MIGRATION_LOCK_TIMEOUT_MS`):
 * each attempt is one transaction, rolled back whole, under Kysely's advisory lock, so one replica
 * migrates at a time still and another may take its turn during the pause.
 */
async function migrateWithinLockBound<DB>(db: Kysely<DB>, dialect: SqlDialect, log: (line: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const migrated = await migrateOrAcceptNewer(db, dialect);
    if (migrated.error === undefined) return;
    const waited = `${MIGRATION_LOCK_TIMEOUT_MS / 1000} s for a lock on a table others are using`;
    if (migrated.lockedOut === undefined) throw migrated.error instanceof Error ? migrated.error : new Error(String(migrated.error));
    if (attempt === MIGRATION_ATTEMPTS) {
      throw new Error(`migration ${migrated.lockedOut} waited ${waited}, ${MIGRATION_ATTEMPTS} times; a transaction holds it (pg_locks), or the tables are never quiet`, { cause: migrated.error });
    }
    const pauseMs = migrationPauseMs(attempt);
    log(`store: migration ${migrated.lockedOut} gave up waiting ${waited} (attempt ${attempt} of ${MIGRATION_ATTEMPTS}), so their queries go on; trying again in ${pauseMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/**
 * The one database factory: opens SQLite or PostgreSQL and brings the schema to the latest
 * migration. On PostgreSQL Kysely's migrator holds `pg_advisory_lock` and runs the pending
 * migrations in one transaction, so replicas starting together migrate once, each table lock
 * waited for at most `MIGRATION_LOCK_TIMEOUT_MS` and the whole tried again up to
 * `MIGRATION_ATTEMPTS` times (`log` says so); on SQLite one process owns the file. A schema a
 * newer release migrated further is opened as it is.
 */
export async function openStoreDatabase(location: DatabaseLocation, options: { log?: (line: string) => void } = {}): Promise<StoreDatabase> {
  const dialect: SqlDialect = location.url !== undefined ? 'postgres' : 'sqlite';
  const { db, pool } = location.url !== undefined ? openPostgres(location.url) : { db: openSqlite(location.file), pool: undefined };
  try {
    await migrateWithinLockBound(db, dialect, options.log ?? ((line) => console.error(line)));
    if (pool) boundQueries(pool);
  } catch (error) {
    await db.destroy();
    if (location.url === undefined) throw error;
    // Names the server without the URL's password.
    const { host, pathname } = new URL(location.url);
    throw new Error(`cannot open the PostgreSQL store at ${host}${pathname} (DATABASE_URL): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { db, dialect, close: () => db.destroy() };
}
