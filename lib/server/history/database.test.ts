import { createServer, type Socket } from 'node:net';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import pg from 'pg';
import { CHECKOUT_TIMEOUT_MS, CONNECT_TIMEOUT_MS, MIGRATION_ATTEMPTS, MIGRATION_LOCK_TIMEOUT_MS, openStoreDatabase, POOL_MAX, QUERY_TIMEOUT_MS, sendCancelRequest } from './database';
import { migrationProviderFor } from './migrations';
import { isDatabaseUnreachable } from './unreachable';

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
}, 60_000);

describe('openStoreDatabase on PostgreSQL', () => {
  it('gives up on a server that accepts the connection and never answers, as unreachable', async () => {
    // What a database host behind a network that drops packets looks like to the client: no answer.
    const held: Socket[] = [];
    const silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const outcome = await openStoreDatabase({ url: `postgres://switchyard:secret@127.0.0.1:${address.port}/switchyard` }).then(
        () => new Error('opened'),
        (error: unknown) => error,
      );
      expect(String(outcome)).toMatch(/cannot open the PostgreSQL store/);
      expect(isDatabaseUnreachable(outcome)).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, CONNECT_TIMEOUT_MS + 20_000);
});

describe('the PostgreSQL pool', () => {
  it('fails a query that waits for a pooled client past the bound, as unreachable, instead of waiting for good', async () => {
    const url = await postgres.createDatabase();
    const store = await openStoreDatabase({ url });
    const sleeping = "select pg_sleep(60) as held";
    // Every pooled client held by a query that does not come back, as on a network that drops packets.
    const held = Array.from({ length: POOL_MAX }, () => sql.raw(sleeping).execute(store.db).catch(() => undefined));
    try {
      while ((await postgres.query(postgres.adminUrl, 'select 1 from pg_stat_activity where query = $1', [sleeping])).length < POOL_MAX) await new Promise((resolve) => setImmediate(resolve));
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let outcome: unknown = 'still waiting';
      const waiting = sql`select 1`.execute(store.db).then(
        () => 'answered',
        (error: unknown) => (outcome = error),
      );
      await vi.advanceTimersByTimeAsync(CHECKOUT_TIMEOUT_MS);
      expect(isDatabaseUnreachable(outcome), String(outcome)).toBe(true);
      await waiting;
    } finally {
      vi.useRealTimers();
      await postgres.query(postgres.adminUrl, 'select pg_cancel_backend(pid) from pg_stat_activity where query = $1', [sleeping]);
      await Promise.all(held);
      await store.close();
    }
  }, 60_000);

  it('drops a connection whose query is unanswered past the bound, as unreachable, and answers the next on a new one', async () => {
    const url = await postgres.createDatabase();
    const store = await openStoreDatabase({ url });
    // Unanswered as far as the client knows: the same, from where it stands, as a host gone without a reset.
    const sleeping = 'select pg_sleep(120) as unanswered';
    try {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let outcome: unknown = 'still waiting';
      const waiting = sql.raw(sleeping).execute(store.db).then(
        () => 'answered',
        (error: unknown) => (outcome = error),
      );
      const backend = async (): Promise<number | undefined> => (await postgres.query<{ pid: number }>(postgres.adminUrl, 'select pid from pg_stat_activity where query = $1', [sleeping]))[0]?.pid;
      let stuck: number | undefined;
      while ((stuck = await backend()) === undefined) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(QUERY_TIMEOUT_MS - 1);
      expect(outcome).toBe('still waiting');
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(() => expect(isDatabaseUnreachable(outcome), String(outcome)).toBe(true), { timeout: 5_000 });
      await waiting;
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db);
      expect(rows[0]?.pid).not.toBe(stuck);
    } finally {
      vi.useRealTimers();
      await postgres.query(postgres.adminUrl, 'select pg_cancel_backend(pid) from pg_stat_activity where query = $1', [sleeping]);
      await store.close();
    }
  }, 60_000);

  it('cancels on the server the query of a connection it dropped, so that query holds no backend past the bound', async () => {
    const url = await postgres.createDatabase();
    const store = await openStoreDatabase({ url });
    // A live server that is slow to answer: dropping the socket alone leaves its query running.
    const sleeping = 'select pg_sleep(120) as dropped_then_cancelled';
    const running = (): Promise<unknown[]> => postgres.query(postgres.adminUrl, "select pid from pg_stat_activity where query = $1 and state = 'active'", [sleeping]);
    try {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const waiting = sql.raw(sleeping).execute(store.db).catch(() => undefined);
      while ((await running()).length === 0) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(QUERY_TIMEOUT_MS);
      await waiting;
      vi.useRealTimers();
      await vi.waitFor(async () => expect(await running()).toEqual([]), { timeout: 5_000, interval: 50 });
    } finally {
      vi.useRealTimers();
      await postgres.query(postgres.adminUrl, 'select pg_cancel_backend(pid) from pg_stat_activity where query = $1', [sleeping]);
      await store.close();
    }
  }, 60_000);

  it('leaves a migration waiting on another replica’s migration lock past the bound', async () => {
    const url = await postgres.createDatabase();
    // Another replica migrating: Kysely's migration lock (its LOCK_ID) held by another session.
    const replica = new pg.Client({ connectionString: url });
    await replica.connect();
    await replica.query('select pg_advisory_lock(3853314791062309107)');
    try {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const opening = openStoreDatabase({ url });
      const waitingOnLock = "select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%pg_advisory_lock%'";
      while ((await postgres.query(url, waitingOnLock)).length === 0) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(2 * QUERY_TIMEOUT_MS);
      vi.useRealTimers();
      await replica.query('select pg_advisory_unlock(3853314791062309107)');
      const store = await opening;
      await store.close();
    } finally {
      vi.useRealTimers();
      await replica.end();
    }
  }, 60_000);
});

describe('a migration on PostgreSQL behind a query in flight (rolling upgrade)', () => {
  /** A database the previous release migrated (to 011), which 012 alters. */
  const previousRelease = async (): Promise<string> => {
    const url = await postgres.createDatabase();
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    try {
      expect((await new Migrator({ db, provider: migrationProviderFor('postgres') }).migrateTo('011_oidc_pending')).error).toBeUndefined();
    } finally {
      await db.destroy();
    }
    return url;
  };
  /** A replica of the previous release in the middle of a read of `events`: its lock is held until it commits. */
  const queryInFlight = async (url: string): Promise<pg.Client> => {
    const replica = new pg.Client({ connectionString: url });
    await replica.connect();
    await replica.query('begin');
    await replica.query('select count(*) from events');
    return replica;
  };
  const alterWaiting = "select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'alter table%'";

  it('gives up its table lock within the bound, so the queries queued behind it are answered, and migrates once the query is done', async () => {
    const url = await previousRelease();
    const replica = await queryInFlight(url);
    const lines: string[] = [];
    const opening = openStoreDatabase({ url }, { log: (line) => lines.push(line) });
    try {
      while ((await postgres.query(url, alterWaiting)).length === 0) await new Promise((resolve) => setImmediate(resolve));
      // Another replica's read, queued behind the migration's request for the whole table.
      const read = postgres.query(url, 'select count(*) from events').then(() => 'answered');
      const bound = new Promise((resolve) => setTimeout(() => resolve('still queued'), MIGRATION_LOCK_TIMEOUT_MS + 2_000).unref());
      expect(await Promise.race([read, bound])).toBe('answered');
      await vi.waitFor(() =>
        expect(lines).toEqual([
          'store: migration 012_events_first_failed gave up waiting 2 s for a lock on a table others are using (attempt 1 of 8), so their queries go on; trying again in 1 s',
        ]),
      );
    } finally {
      await replica.query('commit');
      await replica.end();
    }
    const store = await opening;
    try {
      const columns = await postgres.query(url, "select 1 from information_schema.columns where table_name = 'events' and column_name = 'first_failed_ms'");
      expect(columns).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('stops the start after a bounded number of attempts, naming the cause, when the table is never free', async () => {
    const url = await previousRelease();
    const replica = await queryInFlight(url);
    const lines: string[] = [];
    try {
      // The pauses between attempts on a fake clock; each attempt's wait is the server's own.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let outcome: unknown = 'still opening';
      const opening = openStoreDatabase({ url }, { log: (line) => lines.push(line) }).then(
        async (store) => {
          await store.close();
          return 'opened';
        },
        (error: unknown) => (outcome = error),
      );
      let paused = 0;
      while (outcome === 'still opening') {
        const pause = /trying again in (\d+) s$/.exec(lines[paused] ?? '')?.[1];
        if (pause === undefined) await new Promise((resolve) => setImmediate(resolve));
        else {
          paused += 1;
          await vi.advanceTimersByTimeAsync(Number(pause) * 1_000);
        }
      }
      await opening;
      expect(paused).toBe(MIGRATION_ATTEMPTS - 1);
      expect(String(outcome)).toMatch(
        new RegExp(`cannot open the PostgreSQL store .*: migration 012_events_first_failed waited ${MIGRATION_LOCK_TIMEOUT_MS / 1000} s for a lock on a table others are using, ${MIGRATION_ATTEMPTS} times`),
      );
      const columns = await postgres.query(url, "select 1 from information_schema.columns where table_name = 'events' and column_name = 'first_failed_ms'");
      expect(columns).toEqual([]);
    } finally {
      vi.useRealTimers();
      await replica.query('commit');
      await replica.end();
    }
  }, 90_000);
});

describe('the cancel request', () => {
  it('to a server that takes it and never closes keeps no process alive, and is dropped at the connect bound', async () => {
    // A black-holed database host as the cancel's own connection sees it: accepted, then nothing.
    const received: Buffer[] = [];
    const held: Socket[] = [];
    const silent = createServer({ allowHalfOpen: true }, (socket) => {
      held.push(socket);
      socket.unref();
      socket.on('data', (chunk: Buffer) => received.push(chunk));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silent.unref();
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const keepingAlive = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
    const before = keepingAlive();
    try {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const cancel = sendCancelRequest({ host: '127.0.0.1', port: address.port, processID: 4_242, secretKey: 77 });
      while (Buffer.concat(received).length < 16) await new Promise((resolve) => setImmediate(resolve));
      expect(keepingAlive()).toBe(before);
      await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
      expect(cancel.destroyed).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(cancel.destroyed).toBe(true);
    } finally {
      vi.useRealTimers();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
