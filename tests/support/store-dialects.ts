import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { DatabaseLocation } from '@/lib/server/history/database';
import type { SqlDialect } from '@/lib/server/history/migrations';
import { openHistory, type History } from '@/lib/server/history/store';
import { startPostgres, type TestPostgres } from './postgres';

/** Every dialect the store runs on, for `describe.each`. */
export const STORE_DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres'];

export interface TestStore {
  /** A new empty store for one test: a SQLite file in a temp dir, or a new PostgreSQL database. */
  fresh(): Promise<DatabaseLocation>;
}

/**
 * Call inside a `describe`: for PostgreSQL it starts one real server for the block (stopped after
 * it) and each `fresh()` is a new database on it; SQLite files are removed after each test.
 */
export function useTestStore(dialect: SqlDialect): TestStore {
  let server: TestPostgres | undefined;
  const dirs: string[] = [];
  if (dialect === 'postgres') {
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
    }, 60_000);
  }
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async fresh() {
      if (dialect === 'sqlite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-store-'));
        dirs.push(dir);
        return { file: path.join(dir, 'history.sqlite') };
      }
      if (!server) throw new Error('the PostgreSQL test server did not start');
      return { url: await server.createDatabase() };
    },
  };
}

/** Call inside a `describe`: a fresh, migrated history store on `dialect` for each test, closed after it. */
export function useTestHistory(dialect: SqlDialect): () => History {
  const testStore = useTestStore(dialect);
  let history: History | undefined;
  beforeEach(async () => {
    history = await openHistory(await testStore.fresh());
  });
  afterEach(async () => {
    await history?.close();
    history = undefined;
  });
  return () => {
    if (!history) throw new Error('the test history store is open only inside a test');
    return history;
  };
}
