import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openStoreDatabase, type DatabaseLocation, type StoreDatabase } from '@/lib/server/history/database';
import type { SqlDialect } from '@/lib/server/history/migrations';
import { RECORD_BYTES } from '@/lib/server/metrics-store/minute-codec';
import { createPersistedSeries } from '@/lib/server/metrics-store/persisted';
import { edgeKey, instanceKey, probeKey, serviceKey } from '@/lib/server/metrics-store/series-key';
import { FIELDS } from '@/lib/server/metrics-store/slots';
import { createMetricsStore, type ClosedMinutes } from '@/lib/server/metrics-store/store';
import { startPostgres } from '../tests/support/postgres';
import { formatBytes, formatMs, summarize, type Summary } from './stats';
import { row } from './report';

export const SERIES = 10_000;
/** One hour of minutes is written and read back; a day and the retention are extrapolated from it. */
export const MINUTES = Number(process.env.SERIES_BENCH_MINUTES ?? 60);
const T0 = Date.parse('2026-12-03T00:00:00Z');

export interface SeriesDialectResult {
  dialect: SqlDialect;
  /** Wall time of one minute's batch (10,000 slots), ms. */
  write: Summary;
  /** CPU time of the whole process per minute's batch, ms. */
  cpuPerMinuteMs: number;
  /** Store growth per minute of 10,000 slots (tables and indexes). */
  bytesPerMinute: number;
  /** Reading the hour back into a metrics store. */
  restoreHourMs: number;
  /** CPU time of that read (the machine is shared: wall time includes waiting for a core). */
  restoreHourCpuMs: number;
  restored: number;
}

export interface SeriesBenchResult {
  dialects: SeriesDialectResult[];
  postgresNote: string;
}

/** 10,000 series as a fleet has them: 4,000 call series (the cap: 500 services, 2,500 instances, 1,000 edges) and 6,000 probes. */
function fleetKeys(): string[] {
  const keys: string[] = [];
  for (let s = 0; s < 500; s += 1) keys.push(serviceKey(`svc-${s}`));
  for (let i = 0; i < 2_500; i += 1) keys.push(instanceKey(`svc-${i % 500}`, `i-${i}`));
  for (let e = 0; e < 1_000; e += 1) keys.push(edgeKey(`svc-${e % 500}`, `svc-${(e * 7 + 1) % 500}`));
  while (keys.length < SERIES) keys.push(probeKey(`/services/svc-${keys.length % 500}/i-${keys.length}`));
  return keys;
}

/** One minute's closed slots for every series: plausible counts, a few errors, log-spread percentiles. */
function minuteOf(keys: readonly string[], minute: number): ClosedMinutes {
  const fields = new Float32Array(keys.length * FIELDS);
  keys.forEach((_, i) => {
    const base = 2 + ((i * 2_654_435_761 + minute * 40_503) % 1_000) / 10;
    fields.set([60 + ((i + minute) % 240), (i + minute) % 17 === 0 ? 3 : 0, base, base * 2.7, base * 6.1], i * FIELDS);
  });
  return { keys: [...keys], minuteStarts: keys.map(() => (T0 + minute * 60_000) / 1_000), fields };
}

async function storeBytes(database: StoreDatabase, location: DatabaseLocation): Promise<number> {
  if (location.file !== undefined) {
    await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    return statSync(location.file).size;
  }
  const result = await sql<{ bytes: number | string }>`select pg_total_relation_size('series_minutes') + pg_total_relation_size('series_keys') as bytes`.execute(database.db);
  return Number(result.rows[0]?.bytes ?? 0);
}

async function runDialect(dialect: SqlDialect, location: DatabaseLocation, log: (message: string) => void): Promise<SeriesDialectResult> {
  const keys = fleetKeys();
  const database = await openStoreDatabase(location);
  try {
    let clock = T0;
    const persisted = createPersistedSeries({ db: database.db, retentionDays: 7, log, now: () => clock });
    // The first minute also creates the 10,000 key rows: measured apart from the steady state.
    persisted.enqueue(minuteOf(keys, 0));
    await persisted.flush();
    log(`${dialect}: key rows created`);
    const startBytes = await storeBytes(database, location);
    const times: number[] = [];
    const cpuStart = process.cpuUsage();
    for (let minute = 1; minute <= MINUTES; minute += 1) {
      clock = T0 + (minute + 1) * 60_000;
      const batch = minuteOf(keys, minute);
      const started = performance.now();
      persisted.enqueue(batch);
      await persisted.flush();
      times.push(performance.now() - started);
      if (minute % 10 === 0) log(`${dialect}: ${minute} of ${MINUTES} minutes written`);
    }
    const cpu = process.cpuUsage(cpuStart);
    const endBytes = await storeBytes(database, location);
    if (persisted.stats().pendingRecords > 0) throw new Error(`${dialect}: ${persisted.stats().pendingRecords} slots not written`);
    log(`${dialect}: wrote ${MINUTES} minutes × ${SERIES} series`);

    const latency = createMetricsStore({ now: () => clock, maxSeries: 4_000, maxProbeSeries: 10_000 });
    const reader = createPersistedSeries({ db: database.db, retentionDays: 7, log, now: () => clock });
    const restoreStart = performance.now();
    const restoreCpu = process.cpuUsage();
    const restored = await reader.restoreInto(latency);
    const restoreHourMs = performance.now() - restoreStart;
    const restoreUsage = process.cpuUsage(restoreCpu);
    await persisted.stop();
    return {
      dialect,
      write: summarize(times),
      cpuPerMinuteMs: (cpu.user + cpu.system) / 1_000 / MINUTES,
      bytesPerMinute: (endBytes - startBytes) / MINUTES,
      restoreHourMs,
      restoreHourCpuMs: (restoreUsage.user + restoreUsage.system) / 1_000,
      restored,
    };
  } finally {
    await database.close();
  }
}

export async function runSeriesBench(workDir: string, log: (message: string) => void): Promise<SeriesBenchResult> {
  const dialects: SeriesDialectResult[] = [await runDialect('sqlite', { file: path.join(workDir, 'series.sqlite') }, log)];
  let postgresNote = '';
  try {
    const postgres = await startPostgres();
    try {
      dialects.push(await runDialect('postgres', { url: await postgres.createDatabase() }, log));
      postgresNote = 'PostgreSQL is the test harness\'s (`tests/support/postgres.ts`: `fsync=off`, `synchronous_commit=off`), so its write times are a floor.';
    } finally {
      await postgres.stop();
    }
  } catch (error) {
    postgresNote = `PostgreSQL not measured: ${error instanceof Error ? error.message : String(error)}`;
  }
  return { dialects, postgresNote };
}

/** The section without its heading. */
export function renderSeriesSection(result: SeriesBenchResult): string {
  const perDay = (bytes: number): string => formatBytes(bytes * 1_440);
  return [
    `${SERIES.toLocaleString('en-US')} series (500 services, 2,500 instances, 1,000 edges, 6,000 probes) each close one minute slot a minute;`,
    `the writer (\`metrics-store/persisted.ts\`) turns a minute into one row of ${RECORD_BYTES}-byte records (${formatBytes(SERIES * RECORD_BYTES)} a minute before`,
    `row and index overhead). ${MINUTES} minutes are written one batch at a time after a first minute that creates the key rows, then read back`,
    'into a metrics store as a start does. Write rate: 10,000 slots a minute, ~167 a second, in one statement a minute (plus one',
    `hourly \`seen_ms\` refresh of the keys). The hour is ${(SERIES * (MINUTES + 1)).toLocaleString('en-US')} slots; size and restore time are extrapolated linearly from it.`,
    '',
    row(['store', 'batch p50', 'batch p99', 'CPU / batch', 'growth / minute', '/ day', '/ 7 days (default)', 'restore 1 h (CPU)', 'restore 24 h (×24, CPU)']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...result.dialects.map((d) =>
      row([
        d.dialect,
        `${formatMs(d.write.p50)} ms`,
        `${formatMs(d.write.p99)} ms`,
        `${formatMs(d.cpuPerMinuteMs)} ms`,
        formatBytes(d.bytesPerMinute),
        perDay(d.bytesPerMinute),
        formatBytes(d.bytesPerMinute * 1_440 * 7),
        `${formatMs(d.restoreHourMs)} ms (${formatMs(d.restoreHourCpuMs)} ms)`,
        `~${((d.restoreHourMs * 24) / 1_000).toFixed(1)} s (${((d.restoreHourCpuMs * 24) / 1_000).toFixed(1)} s)`,
      ]),
    ),
    '',
    result.postgresNote,
  ].join('\n');
}
