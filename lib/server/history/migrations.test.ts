import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql, type MigrationProvider } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/lib/server/etcd/local';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import { migrateOrAcceptNewer, openStoreDatabase, parseInt8, type StoreDatabase } from './database';
import { migrationProviderFor } from './migrations';
import { createAckStore } from '../alerts/ack-store';
import type { HistoryDatabase } from './schema';
import { toHistoryEvent } from './store';

/** The schema SQLite users got from the shipped migrations 001–003; it must never change under them. */
const SHIPPED_SQLITE_SCHEMA = [
  'CREATE TABLE "events" ("id" integer primary key autoincrement, "at_ms" integer not null, "kind" text not null, "service" text, "instance" text, "from_state" text, "to_state" text, "actor" text, "detail" text not null, "until_ms" integer, "natural_key" text unique)',
  'CREATE INDEX "events_at" on "events" ("at_ms", "id")',
  'CREATE INDEX "events_instance_at" on "events" ("instance", "at_ms", "id")',
  'CREATE INDEX "events_kind_at" on "events" ("kind", "at_ms", "id")',
  'CREATE INDEX "events_service_at" on "events" ("service", "at_ms", "id")',
  'CREATE TABLE "lineages" ("id" text primary key, "cluster_id" text not null, "highest_revision" text not null, "seen_ms" integer not null)',
  'CREATE TABLE "runs" ("id" integer primary key autoincrement, "started_ms" integer not null, "alive_ms" integer not null, "stopped_ms" integer)',
  'CREATE TABLE "sessions" ("id" text primary key, "user_id" integer not null, "created_ms" integer not null, "last_seen_ms" integer not null)',
  'CREATE INDEX "sessions_user" on "sessions" ("user_id")',
  'CREATE TABLE "tokens" ("id" text primary key, "name" text not null, "hash" text not null unique, "role" text not null, "service" text, "created_by" text not null, "created_ms" integer not null, "expires_ms" integer, "last_used_ms" integer, "revoked_ms" integer)',
  'CREATE TABLE "users" ("id" integer primary key autoincrement, "name" text not null unique, "password_hash" text, "role" text not null, "source" text not null, "oidc_subject" text unique, "disabled" integer default 0 not null, "created_ms" integer not null, "last_login_ms" integer, "failed_logins" integer default 0 not null, "locked_until_ms" integer)',
];

describe('migrations on SQLite', () => {
  it('still produce the shipped schema for 001–003', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const migrated = await new Migrator({ db, provider: migrationProviderFor('sqlite') }).migrateTo('003_lineages');
      expect(migrated.error).toBeUndefined();
      const rows = await sql<{ sql: string }>`select sql from sqlite_master where sql is not null and name not like 'kysely_%' and name <> 'sqlite_sequence' order by name`.execute(db);
      expect(rows.rows.map((row) => row.sql)).toEqual(SHIPPED_SQLITE_SCHEMA);
    } finally {
      await db.destroy();
    }
  });
});

describe('migration 008 (returned_as)', () => {
  it('keeps the rows written before it readable: no returnedAs, their detail as it was', async () => {
    const db = new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProviderFor('sqlite') });
      expect((await migrator.migrateTo('007_events_service_instance_at')).error).toBeUndefined();
      await sql`insert into events (at_ms, kind, service, instance, detail) values (1, 'instance.lost_cleared', 'users', 'a', 'registered again as a2 at 10.0.0.1:80')`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await db.insertInto('events').values({ at_ms: 2, kind: 'instance.lost_cleared', service: 'users', instance: 'b', detail: 'registered again as x at y at h:80', returned_as: 'x at y' }).execute();
      const rows = await db.selectFrom('events').selectAll().orderBy('id').execute();
      expect(rows.map(toHistoryEvent).map(({ instance, detail, returnedAs }) => ({ instance, detail, returnedAs }))).toEqual([
        { instance: 'a', detail: 'registered again as a2 at 10.0.0.1:80', returnedAs: undefined },
        { instance: 'b', detail: 'registered again as x at y at h:80', returnedAs: 'x at y' },
      ]);
    } finally {
      await db.destroy();
    }
  });
});

describe('migration 012 (first_failed_ms)', () => {
  it('reads a firstFailedAt only where it is a time at or before its row: old rows, an old replica\u2019s, a later or absurd one read without it', async () => {
    const db = new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProviderFor('sqlite') });
      expect((await migrator.migrateTo('011_oidc_pending')).error).toBeUndefined();
      const atMs = Date.UTC(2026, 11, 7, 4, 4, 27);
      await sql`insert into events (at_ms, kind, service, instance, to_state, detail) values (${atMs}, 'health.changed', 'payments', 'before', 'critical', 'HTTP 503')`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      // A replica of the previous version, still running during the rolling upgrade, names no such column.
      await sql`insert into events (at_ms, kind, service, instance, to_state, detail) values (${atMs}, 'health.changed', 'payments', 'old-replica', 'critical', 'HTTP 503')`.execute(db);
      const critical = { at_ms: atMs, kind: 'health.changed', service: 'payments', to_state: 'critical', detail: 'HTTP 503' };
      await db
        .insertInto('events')
        .values([
          { ...critical, instance: 'streak', first_failed_ms: atMs - 13_000 },
          { ...critical, instance: 'later', first_failed_ms: atMs + 10_000 },
          { ...critical, instance: 'absurd', first_failed_ms: 9e15 },
        ])
        .execute();
      const rows = await db.selectFrom('events').selectAll().orderBy('id').execute();
      expect(rows.map(toHistoryEvent).map(({ instance, firstFailedAt }) => [instance, firstFailedAt])).toEqual([
        ['before', undefined],
        ['old-replica', undefined],
        ['streak', new Date(atMs - 13_000).toISOString()],
        ['later', undefined],
        ['absurd', undefined],
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('runs again after a start killed between adding the column and recording it (SQLite migrates outside a transaction)', async () => {
    const db = new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProviderFor('sqlite') });
      expect((await migrator.migrateTo('011_oidc_pending')).error).toBeUndefined();
      await sql`alter table events add column first_failed_ms integer`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const recorded = await sql<{ name: string }>`select name from kysely_migration where name = '012_events_first_failed'`.execute(db);
      expect(recorded.rows).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });
});

describe('migration 013 (alert_acks.severity)', () => {
  it('keeps an acknowledgement taken before it, read as covering either severity, and runs again after a start killed before recording it', async () => {
    const db = new Kysely<HistoryDatabase>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const migrator = new Migrator({ db, provider: migrationProviderFor('sqlite') });
      expect((await migrator.migrateTo('012_events_first_failed')).error).toBeUndefined();
      await sql`insert into alert_acks (id, alertname, service, created_by, created_ms) values ('old', 'InstancesLost', 'payments', 'ops', 1)`.execute(db);
      await sql`alter table alert_acks add column severity text`.execute(db);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(await createAckStore(db).active()).toEqual([{ id: 'old', alertname: 'InstancesLost', service: 'payments', by: 'ops', at: new Date(1).toISOString() }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('a database a newer release migrated further', () => {
  it('opens in this release: a replica of the previous version restarted during a rolling upgrade runs on the added schema', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-newer-'));
    const file = path.join(dir, 'history.sqlite');
    const newer = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(file) }) });
    const shipped = await migrationProviderFor('sqlite').getMigrations();
    const nextRelease: MigrationProvider = {
      getMigrations: () => Promise.resolve({ ...shipped, '999_next_release': { up: async (db) => void (await db.schema.alterTable('events').addColumn('next_release', 'text').execute()) } }),
    };
    let store: StoreDatabase | undefined;
    try {
      expect((await new Migrator({ db: newer, provider: nextRelease }).migrateToLatest()).error).toBeUndefined();
      await newer.destroy();
      store = await openStoreDatabase({ file });
      await store.db.insertInto('events').values({ at_ms: 1, kind: 'history.gap', detail: 'x' }).execute();
      expect((await store.db.selectFrom('events').selectAll().execute()).map(toHistoryEvent)).toMatchObject([{ kind: 'history.gap', detail: 'x' }]);
    } finally {
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still refuses one missing a migration of this release', async () => {
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const { ['011_oidc_pending']: _skipped, ...others } = await migrationProviderFor('sqlite').getMigrations();
      const skipping: MigrationProvider = { getMigrations: () => Promise.resolve({ ...others, '999_next_release': { up: async () => undefined } }) };
      expect((await new Migrator({ db, provider: skipping }).migrateToLatest()).error).toBeUndefined();
      expect((await migrateOrAcceptNewer(db, 'sqlite')).error).toBeInstanceOf(Error);
    } finally {
      await db.destroy();
    }
  });
});

describe('migrations on PostgreSQL', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server.stop();
  }, 60_000);

  it('run once when several replicas start together on a fresh database', async () => {
    const url = await server.createDatabase();
    const replicas = 4;
    const opened = await Promise.allSettled(Array.from({ length: replicas }, () => openStoreDatabase({ url })));
    const stores = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      expect(opened.filter((result) => result.status === 'rejected')).toEqual([]);
      const applied = await server.query<{ name: string; n: string }>(url, 'select name, count(*) as n from kysely_migration group by name order by name');
      const shipped = Object.keys(await migrationProviderFor('postgres').getMigrations());
      expect(applied).toEqual(shipped.map((name) => ({ name, n: '1' })));
      const tables = await server.query<{ table_name: string }>(url, "select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name");
      expect(tables.map((row) => row.table_name)).toEqual(['alert_acks', 'alert_silences', 'events', 'install_identity', 'lineages', 'oidc_pending', 'runs', 'series_keys', 'series_minutes', 'sessions', 'tokens', 'users']);
      // One install, whichever replica migrated: each reads the same identity.
      const ids = await Promise.all(stores.map((store) => store.db.selectFrom('install_identity').select('id').execute()));
      expect(new Set(ids.map((rows) => JSON.stringify(rows))).size).toBe(1);
      expect(ids[0]).toHaveLength(1);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('stores millisecond times and ids as bigint and reads them, and counts, back as numbers', async () => {
    const url = await server.createDatabase();
    let store: StoreDatabase | undefined;
    try {
      store = await openStoreDatabase({ url });
      const columns = await server.query<{ column_name: string; data_type: string }>(
        url,
        "select column_name, data_type from information_schema.columns where table_name = 'events' and column_name in ('id', 'at_ms') order by column_name",
      );
      expect(columns).toEqual([
        { column_name: 'at_ms', data_type: 'bigint' },
        { column_name: 'id', data_type: 'bigint' },
      ]);
      const atMs = Date.UTC(2026, 11, 3, 12, 0, 0, 123);
      const row = await store.db.insertInto('events').values({ at_ms: atMs, kind: 'history.gap', detail: 'x' }).returning(['id', 'at_ms']).executeTakeFirstOrThrow();
      expect(row).toEqual({ id: 1, at_ms: atMs });
      const counted = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(counted.n).toBe(1);
    } finally {
      await store?.close();
    }
  });
});

describe('opening PostgreSQL', () => {
  it('names the server, never the password, when it cannot be reached', async () => {
    const port = await freePort();
    await expect(openStoreDatabase({ url: `postgres://switchyard:s3cret-pw@127.0.0.1:${port}/history` })).rejects.toThrow(
      new RegExp(`^cannot open the PostgreSQL store at 127\\.0\\.0\\.1:${port}/history \\(DATABASE_URL\\): (?!.*s3cret)`),
    );
  });
});

describe('int8 parsing', () => {
  it('gives a number while exact and the driver\'s string beyond 2^53', () => {
    expect(parseInt8('1764763200123')).toBe(1764763200123);
    expect(parseInt8('-5')).toBe(-5);
    expect(parseInt8('9007199254740993')).toBe('9007199254740993');
  });
});
