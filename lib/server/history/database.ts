import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
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
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  request.writeInt32BE(processID, 8);
  request.writeInt32BE(secretKey, 12);
  const socket = host.startsWith('/') ? net.connect(`${host}/.s.PGSQL.${port}`) : net.connect(port, host);
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.end(request));
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
 * Brings the schema to this release's latest migration, or accepts one a newer release took further
 * (every migration of this release applied, and more): a replica of the previous version restarted
 * during a rolling upgrade, after an upgraded one migrated, failed to start on Kysely's "corrupted
 * migrations: previously executed migration … is missing". Migrations only add (nullable columns,
 * tables, indexes), so it runs on that schema as it ran beside the replica that made it.
 */
export async function migrateOrAcceptNewer<DB>(db: Kysely<DB>, dialect: SqlDialect): Promise<{ error?: unknown }> {
  const migrator = new Migrator({ db, provider: migrationProviderFor(dialect) });
  const migrated = await migrator.migrateToLatest();
  if (migrated.error === undefined) return {};
  const newer = migrated.error instanceof Error && /^corrupted migrations: previously executed migration .+ is missing$/.test(migrated.error.message);
  if (newer && (await migrator.getMigrations()).every((migration) => migration.executedAt !== undefined)) return {};
  return { error: migrated.error };
}

/**
 * The one database factory: opens SQLite or PostgreSQL and brings the schema to the latest
 * migration. On PostgreSQL Kysely's migrator holds `pg_advisory_lock` and runs the pending
 * migrations in one transaction, so replicas starting together migrate once; on SQLite one
 * process owns the file. A schema a newer release migrated further is opened as it is.
 */
export async function openStoreDatabase(location: DatabaseLocation): Promise<StoreDatabase> {
  const dialect: SqlDialect = location.url !== undefined ? 'postgres' : 'sqlite';
  const { db, pool } = location.url !== undefined ? openPostgres(location.url) : { db: openSqlite(location.file), pool: undefined };
  try {
    const migrated = await migrateOrAcceptNewer(db, dialect);
    if (migrated.error !== undefined) throw migrated.error instanceof Error ? migrated.error : new Error(String(migrated.error));
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
