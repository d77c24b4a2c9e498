import { createServer, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import { CHECKOUT_TIMEOUT_MS, CONNECT_TIMEOUT_MS, openStoreDatabase, POOL_MAX } from './database';
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
});
