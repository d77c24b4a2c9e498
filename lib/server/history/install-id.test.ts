import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { openStoreDatabase, type DatabaseLocation, type StoreDatabase } from './database';
import { installIdReader } from './install-id';

describe.each(STORE_DIALECTS)('the install identity on %s', (dialect) => {
  const testStore = useTestStore(dialect);

  it('is one id for every opener of the database and across reopening, and another for another database', async () => {
    const opened: StoreDatabase[] = [];
    const open = async (location: DatabaseLocation): Promise<StoreDatabase> => {
      const store = await openStoreDatabase(location);
      opened.push(store);
      return store;
    };
    try {
      const location = await testStore.fresh();
      const first = await open(location);
      const second = await open(location);
      const id = await installIdReader(first.db)();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await installIdReader(second.db)()).toBe(id);
      await opened.shift()?.close();
      expect(await installIdReader((await open(location)).db)()).toBe(id);
      expect(await installIdReader((await open(await testStore.fresh())).db)()).not.toBe(id);
      // One row, always: a second is refused.
      await expect(second.db.insertInto('install_identity').values({ singleton: 2, id: 'x' }).execute()).rejects.toThrow();
    } finally {
      for (const store of opened) await store.close();
    }
  });
});
