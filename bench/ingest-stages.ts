import { performance } from 'node:perf_hooks';
import { parseIngestBatch } from '@/lib/model/ingest';
import { createMetricsStore } from '@/lib/server/metrics-store/store';
import { batchBody, SENDERS } from './ingest-batches';

/**
 * Where one ingest batch's CPU goes, in one process without HTTP: the bench's own batches through
 * JSON.parse, zod and the metrics store, as `handleIngest` runs them. Run with `--cpu-prof` to
 * see inside a stage: `node --cpu-prof --import tsx bench/ingest-stages.ts`.
 */
export interface IngestStages {
  batches: number;
  parseMicros: number;
  validateMicros: number;
  storeMicros: number;
}

export function measureIngestStages(batches: number): IngestStages {
  const store = createMetricsStore();
  let parse = 0;
  let validate = 0;
  let record = 0;
  for (let i = 0; i < batches; i += 1) {
    // A new body each time, as the bench's clients send: intervals move with the clock.
    const body = Buffer.from(batchBody(i % SENDERS));
    const t0 = performance.now();
    const json: unknown = JSON.parse(body.toString('utf8'));
    const t1 = performance.now();
    const parsed = parseIngestBatch(json);
    const t2 = performance.now();
    if (!parsed.success) throw new Error(parsed.error.message);
    const outcome = store.ingest(parsed.data, () => 'service and instance');
    const t3 = performance.now();
    if (!outcome.ok) throw new Error(outcome.message);
    parse += t1 - t0;
    validate += t2 - t1;
    record += t3 - t2;
    // Reports are spread over their seconds when their series is read or swept: the server reads a
    // busy series every ~100 ms (status, summaries), ~500 of these batches at its rate. Counted as the store's.
    if (i % 500 === 499) {
      const sweepStarted = performance.now();
      store.sweep();
      record += performance.now() - sweepStarted;
    }
  }
  const micros = (ms: number): number => (ms * 1_000) / batches;
  return { batches, parseMicros: micros(parse), validateMicros: micros(validate), storeMicros: micros(record) };
}

if (process.argv[1] === import.meta.filename) {
  const batches = Number(process.argv[2] ?? 20_000);
  const stages = measureIngestStages(batches);
  console.log(
    `${stages.batches} batches: JSON.parse ${stages.parseMicros.toFixed(0)} µs, zod ${stages.validateMicros.toFixed(0)} µs, store ${stages.storeMicros.toFixed(0)} µs a batch`,
  );
}
