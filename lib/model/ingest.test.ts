import { describe, expect, it } from 'vitest';
import { callSeconds, IngestBatchSchema, MAX_CALL_SECONDS_PER_BATCH } from './ingest';

const batch = (callees: number, intervalSeconds: number) => ({
  reporter: { service: 'orders', instance: 'orders-1' },
  intervalStart: '2026-12-03T12:00:00Z',
  intervalSeconds,
  calls: Array.from({ length: callees }, (_, i) => ({ to: `callee-${i}`, count: 2, errors: 0, latencyMs: { bounds: [10], counts: [1, 1] } })),
});

describe('IngestBatchSchema: work per batch', () => {
  it('counts an interval in whole seconds, at least one', () => {
    expect(callSeconds(10, 0.2)).toBe(10);
    expect(callSeconds(10, 4.5)).toBe(50);
  });

  it('accepts a normal reporter: 99 callees every 5 and every 50 s', () => {
    expect(IngestBatchSchema.safeParse(batch(99, 5)).success).toBe(true);
    expect(IngestBatchSchema.safeParse(batch(99, 50)).success).toBe(true);
  });

  it('accepts a batch exactly at the limit and refuses one second more, naming calls and the limit', () => {
    expect(IngestBatchSchema.safeParse(batch(1_000, MAX_CALL_SECONDS_PER_BATCH / 1_000)).success).toBe(true);
    const over = IngestBatchSchema.safeParse(batch(1_000, MAX_CALL_SECONDS_PER_BATCH / 1_000 + 0.5));
    expect(over.success).toBe(false);
    expect(over.error?.issues.map(({ path, message }) => ({ path, limitNamed: message.includes(String(MAX_CALL_SECONDS_PER_BATCH)) }))).toEqual([
      { path: ['calls'], limitNamed: true },
    ]);
  });
});
