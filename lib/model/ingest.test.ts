import { describe, expect, it } from 'vitest';
import { callSeconds, HistogramSchema, IngestBatchSchema, MAX_CALL_SECONDS_PER_BATCH } from './ingest';

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

describe('HistogramSchema: bucket numbers checked in one pass', () => {
  const bounds = (value: unknown) => HistogramSchema.safeParse({ bounds: [1, value], counts: [1, 1, 1] });
  const counts = (value: unknown) => HistogramSchema.safeParse({ bounds: [1], counts: [1, value] });

  it('accepts bounds from 1 µs to 1 h and refuses anything else', () => {
    const alone = (value: unknown) => HistogramSchema.safeParse({ bounds: [value], counts: [1, 1] }).success;
    expect([0.001, 1.5, 3_600_000].map(alone)).toEqual([true, true, true]);
    expect([0.0009, 0, -1, 3_600_001, 1e300, '5', null].map(alone)).toEqual(Array(7).fill(false));
  });

  it('accepts whole counts from 0 to 1e9 and refuses fractions, negatives, larger and unsafe integers', () => {
    expect([0, -0, 1, 1e9].map((value) => counts(value).success)).toEqual([true, true, true, true]);
    expect([1.5, -1, 1e9 + 1, 2 ** 53, '1', null].map((value) => counts(value).success)).toEqual(Array(6).fill(false));
  });

  it('names the refused element and says why, as a schema per element did', () => {
    const first = (result: ReturnType<typeof bounds>) => result.error?.issues.map(({ path, message }) => ({ path, message }))[0];
    expect(first(HistogramSchema.safeParse({ bounds: [0.0001], counts: [1, 1] }))).toEqual({ path: ['bounds', 0], message: 'Too small: expected number to be >=0.001' });
    expect(first(counts(1.5))).toEqual({ path: ['counts', 1], message: 'Invalid input: expected int, received number' });
    expect(first(counts(1e9 + 1))).toEqual({ path: ['counts', 1], message: 'Too big: expected number to be <=1000000000' });
    expect(first(bounds('5'))).toEqual({ path: ['bounds', 1], message: 'Invalid input: expected number, received string' });
  });
});
