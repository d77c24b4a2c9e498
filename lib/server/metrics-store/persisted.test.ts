import { sql, TableNode, type KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LatencyWindow } from '@/lib/model/latency';
import { STORE_DIALECTS, useTestStore } from '@/tests/support/store-dialects';
import { openStoreDatabase, type DatabaseLocation, type StoreDatabase } from '../history/database';
import { createPersistedSeries, type PersistedSeries } from './persisted';
import { createMetricsStore, type MetricsStore } from './store';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const PROBE_KEY = '/services/pay/p-1';
const WINDOWS: LatencyWindow[] = ['1h', '6h', '24h'];

/** Every chart the restart must keep: service, instance, edge and probe, in every minute window. */
const charts = (latency: MetricsStore) =>
  WINDOWS.map((window) => ({
    window,
    service: latency.service('pay', window),
    instance: latency.instance('pay', 'p-1', window),
    edge: latency.edge('web', 'pay', window),
    probe: latency.probe(PROBE_KEY, window),
  }));

const until = async (condition: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** Sends the first `failures` minute rows to a table that does not exist, so the store itself refuses them. */
const refusingMinuteRows = (failures: number): KyselyPlugin => {
  let left = failures;
  return {
    transformQuery: ({ node }) => {
      if (node.kind !== 'InsertQueryNode' || node.into?.table.identifier.name !== 'series_minutes' || left === 0) return node;
      left -= 1;
      return { ...node, into: TableNode.create('series_minutes_refused') };
    },
    transformResult: ({ result }) => Promise.resolve(result),
  };
};

describe.each(STORE_DIALECTS)('persisted latency series on %s', (dialect) => {
  const testStore = useTestStore(dialect);
  let location: DatabaseLocation;
  const opened: StoreDatabase[] = [];
  const logs: string[] = [];
  let clock = T0;

  const run = async (options: { maxPendingRecords?: number } = {}): Promise<{ database: StoreDatabase; persisted: PersistedSeries; latency: MetricsStore }> => {
    const database = await openStoreDatabase(location);
    opened.push(database);
    const persisted = createPersistedSeries({ db: database.db, retentionDays: 7, log: (line) => logs.push(line), now: () => clock, retryMs: 1, ...options });
    const latency = createMetricsStore({ now: () => clock, onMinutesClosed: (closed) => persisted.enqueue(closed) });
    return { database, persisted, latency };
  };

  /** Twelve minutes of reported calls (web → pay, instance p-1) and probes, sweeping as a running server does. */
  const traffic = (latency: MetricsStore): void => {
    for (let minute = 0; minute < 12; minute += 1) {
      for (const second of [10, 40]) {
        clock = T0 + minute * 60_000 + second * 1_000;
        const ok = latency.ingest({
          reporter: { service: 'web', instance: 'w-1' },
          intervalStart: new Date(clock - 7_000).toISOString(),
          intervalSeconds: 7,
          calls: [{ to: 'pay', toInstance: 'p-1', count: 3 + minute, errors: minute % 4 === 0 ? 1 : 0, latencyMs: { bounds: [5, 10, 50, 100], counts: [minute, 2, 1, 0, second === 40 ? 1 : 0] } }],
        });
        expect(ok).toMatchObject({ ok: true });
        latency.recordProbe(PROBE_KEY, clock, 2.5 + minute / 3, minute % 5 !== 0);
        latency.sweep();
      }
    }
  };

  beforeEach(async () => {
    location = await testStore.fresh();
    clock = T0;
    logs.length = 0;
  });
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close().catch(() => undefined);
  });

  it('gives every minute chart back bit for bit after a restart, the minutes open at a clean stop included', async () => {
    const first = await run();
    traffic(first.latency);
    clock += 30_000;
    first.latency.sweep();
    const before = charts(first.latency);
    // The last minutes are still open (within the reporters' 90 s grace): a clean stop closes and writes them.
    first.latency.closeOpenSlots();
    await first.persisted.stop();
    expect(first.persisted.stats()).toMatchObject({ pendingRecords: 0, dropped: 0 });
    await first.database.close();

    const second = await run();
    // Four series × 12 minutes.
    expect(await second.persisted.restoreInto(second.latency)).toBe(48);
    const after = charts(second.latency);
    expect(after).toEqual(before);
    const withData = after[0]?.service.filter((point) => point.p95Ms !== null) ?? [];
    expect(withData).toHaveLength(12);
    expect(after[0]?.probe.filter((point) => point.errorRate === 1)).toHaveLength(3);
    // Its charts are back, but the edge is not on the map until a call is reported to this run: minutes alone say nothing of the fleet now.
    expect(second.latency.edgePairs()).toEqual([]);
    expect(second.latency.edges()).toEqual([]);
  });

  it('flushes and stops at once with nothing queued', async () => {
    const first = await run();
    await first.persisted.flush();
    await first.persisted.stop();
    expect(first.persisted.stats()).toEqual({ pendingRecords: 0, dropped: 0, written: 0 });
  });

  it('reads back only the last day, and prunes minutes past the retention and keys no longer written', async () => {
    const first = await run();
    traffic(first.latency);
    first.latency.closeOpenSlots();
    await first.persisted.flush();

    clock = T0 + 86_400_000 + 6 * 60_000;
    const later = await run();
    // Minutes 6–11 of the first day are still within a day.
    expect(await later.persisted.restoreInto(later.latency)).toBe(4 * 6);

    const count = async (table: 'series_minutes' | 'series_keys'): Promise<number> =>
      Number((await first.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('series_keys')).toBe(4);
    const rows = await count('series_minutes');
    clock = T0 + 7 * 86_400_000 + 6 * 60_000;
    await first.persisted.prune();
    expect(await count('series_minutes')).toBeLessThan(rows);
    expect(await count('series_minutes')).toBeGreaterThan(0);
    expect(await count('series_keys')).toBe(4);
    clock = T0 + 8 * 86_400_000;
    await first.persisted.prune();
    expect(await count('series_minutes')).toBe(0);
    expect(await count('series_keys')).toBe(0);

    // The same series written again after its key was pruned is read back under a new key row.
    first.latency.recordProbe(PROBE_KEY, clock, 4, true);
    first.latency.closeOpenSlots();
    await first.persisted.flush();
    const again = await run();
    expect(await again.persisted.restoreInto(again.latency)).toBe(1);
  });

  it('logs a failed write and retries it until the store takes it, never throwing into the sweep', async () => {
    const first = await run();
    await sql`alter table series_minutes rename to series_minutes_away`.execute(first.database.db);
    traffic(first.latency);
    await until(() => logs.some((line) => /writing \d+ slot\(s\) of .* failed/.test(line)), 'a logged failure');
    expect(first.persisted.stats().written).toBe(0);
    await sql`alter table series_minutes_away rename to series_minutes`.execute(first.database.db);
    await until(() => first.persisted.stats().pendingRecords === 0, 'the queue written');
    expect(first.persisted.stats().written).toBeGreaterThan(0);
  });

  it('drops the oldest queued minutes past its bound while the store does not answer', async () => {
    const first = await run({ maxPendingRecords: 8 });
    await sql`alter table series_minutes rename to series_minutes_away`.execute(first.database.db);
    traffic(first.latency);
    const { pendingRecords, dropped } = first.persisted.stats();
    expect(pendingRecords).toBeLessThanOrEqual(8);
    expect(dropped).toBeGreaterThan(0);
    expect(logs.some((line) => line.includes('dropped'))).toBe(true);
    await sql`alter table series_minutes_away rename to series_minutes`.execute(first.database.db);
    await first.persisted.stop();
    expect(first.persisted.stats().pendingRecords).toBe(0);
  });

  it('gives a write that fails while it stops the one more attempt a waiting retry gets', async () => {
    const database = await openStoreDatabase(location);
    opened.push(database);
    // A retry far off: only stopping can give the failed write its next attempt.
    const persisted = createPersistedSeries({ db: database.db.withPlugin(refusingMinuteRows(1)), retentionDays: 7, log: (line) => logs.push(line), now: () => clock, retryMs: 60_000 });
    const latency = createMetricsStore({ now: () => clock, onMinutesClosed: (closed) => persisted.enqueue(closed) });
    // The first closed minute's write is under way when this returns, and will be refused.
    traffic(latency);
    await persisted.stop();
    expect(logs.some((line) => line.includes('failed'))).toBe(true);
    expect(persisted.stats().pendingRecords).toBe(0);
    expect(persisted.stats().written).toBeGreaterThan(0);
  });
});
