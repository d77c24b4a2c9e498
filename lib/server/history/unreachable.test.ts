import Database from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/lib/server/etcd/local';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import { startProxy } from '@/tests/support/proxy';
import { openStoreDatabase } from './database';
import { isDatabaseUnreachable, isRowRefused, markFromDatabase } from './unreachable';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
}, 60_000);

const failureOf = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => new Error('did not fail'), (error: unknown) => error);

describe('isDatabaseUnreachable, on what a real PostgreSQL and SQLite throw', () => {
  it('knows a refused connection, a query cut by a restart, and a client left broken by it', async () => {
    const pool = new pg.Pool({ connectionString: postgres.adminUrl, max: 2 });
    pool.on('error', () => undefined);
    const client = await pool.connect();
    client.on('error', () => undefined);
    const failures: unknown[] = [];
    try {
      const inFlight = failureOf(client.query('select pg_sleep(30)'));
      // The query is running on the server before it shuts down.
      while ((await postgres.query(postgres.adminUrl, "select 1 from pg_stat_activity where query = 'select pg_sleep(30)'")).length === 0) await new Promise((resolve) => setImmediate(resolve));
      await postgres.restart(async () => {
        failures.push(await inFlight, await failureOf(client.query('select 1')), await failureOf(pool.query('select 1')));
      });
    } finally {
      client.release(true);
      await pool.end();
    }
    expect(failures).toMatchObject([{ code: '57P01' }, { message: expect.stringMatching(/not queryable/) }, { code: 'ECONNREFUSED' }]);
    // As the store's driver marks what it throws (database-errors.ts); unmarked, nothing counts.
    for (const failure of failures) expect(isDatabaseUnreachable(failure)).toBe(false);
    for (const failure of failures) expect(isDatabaseUnreachable(markFromDatabase(failure))).toBe(true);
    // Node's connect to a name with several addresses, and our own wrapping, keep the cause.
    expect(isDatabaseUnreachable(new AggregateError([failures[2]], 'connect failed'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('cannot open the store', { cause: failures[2] }))).toBe(true);
  }, 60_000);

  it('does not take a failing query for an outage', async () => {
    const url = await postgres.createDatabase();
    await postgres.query(url, 'create table t (id int primary key)');
    await postgres.query(url, 'insert into t values (1)');
    const pool = new pg.Pool({ connectionString: url });
    try {
      const failures = [await failureOf(pool.query('selec 1')), await failureOf(pool.query('insert into t values (1)')), await failureOf(pool.query('select * from missing'))];
      expect(failures).toMatchObject([{ code: '42601' }, { code: '23505' }, { code: '42P01' }]);
      for (const failure of failures) expect(isDatabaseUnreachable(markFromDatabase(failure))).toBe(false);
    } finally {
      await pool.end();
    }
    const sqlite = new Database(':memory:');
    expect(isDatabaseUnreachable(markFromDatabase(await failureOf(Promise.resolve().then(() => sqlite.prepare('select * from missing')))))).toBe(false);
    sqlite.close();
    expect(isDatabaseUnreachable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });

  it('takes a connection refused or cut for an outage only when the store itself failed so', async () => {
    // Elsewhere: an HTTP call (an OIDC provider, a webhook) to a port nobody listens on, a peer's reset.
    const elsewhere = await failureOf(fetch(`http://127.0.0.1:${await freePort()}/`));
    expect(elsewhere).toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    expect(isDatabaseUnreachable(elsewhere)).toBe(false);
    expect(isDatabaseUnreachable(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(false);
    // The store, its PostgreSQL behind a proxy that then refuses every connection.
    const url = new URL(await postgres.createDatabase());
    const proxy = await startProxy(`http://${url.host}`);
    url.host = new URL(proxy.endpoint).host;
    const store = await openStoreDatabase({ url: url.toString() });
    try {
      proxy.cut();
      const failure = await failureOf(sql`select 1`.execute(store.db));
      expect(isDatabaseUnreachable(failure), String(failure)).toBe(true);
      expect(isDatabaseUnreachable(new Error('a history page failed', { cause: failure }))).toBe(true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('tells a row the database refuses for what it holds from a failure of the table or the connection', async () => {
    const url = await postgres.createDatabase();
    await postgres.query(url, 'create table t (id int primary key, name text not null)');
    await postgres.query(url, "insert into t values (1, 'a')");
    const pool = new pg.Pool({ connectionString: url });
    // Its idle clients are ended when the server stops after the file's tests.
    pool.on('error', () => undefined);
    try {
      const refused = [await failureOf(pool.query('insert into t values ($1, $2)', [2, 'a\u0000b'])), await failureOf(pool.query('insert into t values (3, null)'))];
      expect(refused.map((failure) => isRowRefused(failure))).toEqual([true, true]);
      const table = await failureOf(pool.query("insert into t values (1, 'b')"));
      expect(table).toMatchObject({ code: '23505' });
      expect(isRowRefused(table)).toBe(false);
    } finally {
      await pool.end();
    }
    expect(isRowRefused(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    const sqlite = new Database(':memory:');
    sqlite.exec('create table t (id integer primary key, name text not null)');
    const sqliteFailure = (statement: string) => failureOf(Promise.resolve().then(() => sqlite.exec(statement)));
    expect(isRowRefused(await sqliteFailure('insert into t values (1, null)'))).toBe(true);
    sqlite.exec("insert into t values (2, 'a')");
    expect(isRowRefused(await sqliteFailure("insert into t values (2, 'b')"))).toBe(false);
    sqlite.close();
  });
});
