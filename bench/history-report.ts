import { formatBytes, formatMs } from './stats';
import { EVENTS, TARGET_INSERTS_PER_SECOND, TARGET_QUERY_P99_MS, type HistoryBenchResult } from './history';
import { MAX_WARMUP_SECONDS, ROUNDS, SENDERS, SECONDS, STAGE_BATCHES, WARMUP_STEP_SECONDS, TARGET_RATE_RATIO, type IngestBenchResult } from './ingest';
import { row, verdict } from './report';

const perSecond = (value: number): string => Math.round(value).toLocaleString('en-US');

/** The history section without its heading. */
export function renderHistorySection(result: HistoryBenchResult): string {
  const { ours, raw } = result;
  return [
    `${EVENTS.toLocaleString('en-US')} events (200 services × 10 instances, all kinds, over 30 days) written through the`,
    'product\'s history store (`openHistory().append()`: batched multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING`',
    'through Kysely, WAL, `synchronous=FULL`), and the same rows with raw better-sqlite3 (a prepared `INSERT OR IGNORE`',
    'in transactions of 500, same schema, indexes and pragmas) as the baseline. Then 300 filtered reads of 200 rows each',
    '(by service; by kind within a day; by instance; by service and two kinds; by an hour), through `history.query()`',
    `and as the equivalent raw SQL. Database: ${formatBytes(result.databaseBytes)}. Targets: ≥ ${TARGET_INSERTS_PER_SECOND.toLocaleString('en-US')} inserts/s, filtered query p99 ≤ ${TARGET_QUERY_P99_MS} ms.`,
    '',
    row(['path', 'inserts/s', 'query p50', 'query p95', 'query p99', 'query max', 'verdict']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
    row([
      'history store (Kysely)',
      perSecond(ours.insertsPerSecond),
      ...[ours.query.p50, ours.query.p95, ours.query.p99, ours.query.max].map((v) => `${formatMs(v)} ms`),
      `${verdict(ours.insertsPerSecond >= TARGET_INSERTS_PER_SECOND, `${perSecond(ours.insertsPerSecond)}/s`)}; ${verdict(ours.query.p99 <= TARGET_QUERY_P99_MS, `p99 ${formatMs(ours.query.p99)} ms`)}`,
    ]),
    row(['raw better-sqlite3 (baseline)', perSecond(raw.insertsPerSecond), ...[raw.query.p50, raw.query.p95, raw.query.p99, raw.query.max].map((v) => `${formatMs(v)} ms`), 'baseline']),
    '',
    `The store writes at ${((ours.insertsPerSecond / raw.insertsPerSecond) * 100).toFixed(0)}% of the raw rate (the price of Kysely and of returning the new rows for the live feed);`,
    `its reads cost ${formatMs(ours.query.p99 - raw.query.p99)} ms more at p99.`,
  ].join('\n');
}

/** The ingest section without its heading. */
export function renderIngestSection(result: IngestBenchResult): string {
  const { ours, baseline, stages } = result;
  const ratio = ours.batchesPerSecond / baseline.batchesPerSecond;
  const micros = (value: number): string => `${Math.round(value).toLocaleString('en-US')} µs`;
  const line = (name: string, load: IngestBenchResult['ours']): string =>
    row([name, perSecond(load.batchesPerSecond), perSecond(load.callsPerSecond), `${formatMs(load.latency.p50)} ms`, `${formatMs(load.latency.p99)} ms`, micros(load.cpuMicrosPerBatch), String(load.failures)]);
  return [
    `${SENDERS} keep-alive clients post call reports back to back (each batch: one reporter, 20 targets, 12 latency`,
    'buckets) to the production server\'s `POST /api/v1/ingest/calls` (node:http ahead of Next → token → zod → DDSketch-merged',
    'series per service, instance and edge), and to a bare `node:http` endpoint that only parses the JSON and answers 202',
    `(the floor any ingest costs), each in a process of its own, both up before either is loaded: load each unmeasured in steps of ${WARMUP_STEP_SECONDS} s until its`,
    `CPU a batch is no longer 10 % under its best (at most ${MAX_WARMUP_SECONDS} s: here ${ours.warmupSeconds} s for the product, ${baseline.warmupSeconds} s for the bare endpoint), then`,
    `${SECONDS} s each measured in ${ROUNDS} rounds taking turns. A fleet of 5,000 instances reporting every 5 s sends 1,000 batches/s.`,
    `CPU a batch: the receiving process's utime + stime (from /proc) over its measured rounds, per accepted batch. Target (issue 19): ≥ ${TARGET_RATE_RATIO}× the bare endpoint's rate.`,
    'The warm-up leaves out a fresh process\'s one-off work (V8 compiling the hot path, the map laying out its new nodes once):',
    'measured from the first request, it added 1.5–2.5 s of CPU to the product\'s 8 s and next to none to the bare endpoint\'s.',
    'The bare endpoint\'s rate is the load generator\'s (this process, ~100–150 µs of CPU a batch), the product\'s is its own: compare CPU a batch too.',
    '',
    row(['endpoint', 'batches/s', 'calls/s', 'latency p50', 'latency p99', 'CPU a batch', 'failures']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    line('Switchyard ingest', ours),
    line('bare JSON endpoint (baseline)', baseline),
    '',
    `${verdict(ratio >= TARGET_RATE_RATIO, `${ratio.toFixed(2)}× the bare endpoint's rate (target ≥ ${TARGET_RATE_RATIO}×)`)}; ` +
      `${verdict(ours.batchesPerSecond >= 1_000, `${perSecond(ours.batchesPerSecond)} batches/s vs the 1,000/s a 5,000-instance fleet sends`)}.`,
    `Where a batch's CPU goes, in the bench's own process over ${STAGE_BATCHES.toLocaleString('en-US')} batches (\`bench/ingest-stages.ts\`, no HTTP): JSON.parse ${micros(stages.parseMicros)},`,
    `zod ${micros(stages.validateMicros)}, the metrics store ${micros(stages.storeMicros)} (20 calls into 3 series each, spread over 5 one-second slots and a minute when the series is swept, every 500 batches).`,
    'Before ingest moved ahead of Next\'s request handler it managed ~300 batches/s on the same load (Next\'s routing cost ~3× the ingest work).',
  ].join('\n');
}
