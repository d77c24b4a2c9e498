import { afterEach, describe, expect, it, vi } from 'vitest';
import { callSeconds, HistogramSchema, IngestBatchSchema, MAX_CALL_SECONDS_PER_BATCH, parseIngestBatch } from './ingest';

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

describe('parseIngestBatch: the schema\'s answers, accepted batches checked in one pass', () => {
  afterEach(() => vi.restoreAllMocks());

  /** A batch as reporters send it, with keys the contract does not know at every level. */
  const valid = (): Record<string, unknown> => ({
    reporter: { service: 'orders', instance: 'orders-1', zone: 'a' },
    intervalStart: '2026-12-03T12:00:00.123+01:00',
    intervalSeconds: 5,
    sdk: 'go/1.2',
    calls: [
      { to: 'payments', toInstance: 'payments-2', count: 300, errors: 3, latencyMs: { bounds: [1, 2.5, 10], counts: [10, 20, 0, 1], unit: 'ms' }, note: 'x' },
      { to: 'ledger', count: 0, errors: 0, latencyMs: { bounds: [0.001], counts: [0, 0] } },
    ],
  });
  const set = (path: (string | number)[], value: unknown): Record<string, unknown> => {
    const batch = valid();
    let at = batch as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    const last = path[path.length - 1] as string | number;
    if (value === DELETE) Reflect.deleteProperty(at, last);
    else at[last] = value;
    return batch;
  };
  const DELETE = Symbol('delete');
  const issues = (result: ReturnType<typeof parseIngestBatch>) => result.error?.issues.map(({ path, message }) => ({ path, message }));

  it('gives back what the schema gives back for an accepted batch, unknown keys dropped, without running it', () => {
    const batch = valid();
    const expected = IngestBatchSchema.safeParse(batch);
    const schema = vi.spyOn(IngestBatchSchema, 'safeParse');
    const parsed = parseIngestBatch(batch);
    expect(schema).not.toHaveBeenCalled();
    expect(parsed).toStrictEqual(expected);
    expect(parsed.data?.calls[0]).toStrictEqual({ to: 'payments', toInstance: 'payments-2', count: 300, errors: 3, latencyMs: { bounds: [1, 2.5, 10], counts: [10, 20, 0, 1] } });
  });

  it.each<[string, (string | number)[], unknown]>([
    ['a name at 256 characters', ['reporter', 'service'], 'a'.repeat(256)],
    ['a name at 257 characters', ['reporter', 'instance'], 'a'.repeat(257)],
    ['an empty callee', ['calls', 0, 'to'], ''],
    ['a callee that is a number', ['calls', 0, 'to'], 5],
    ['an empty callee instance', ['calls', 0, 'toInstance'], ''],
    ['a null callee instance', ['calls', 0, 'toInstance'], null],
    ['an undefined callee instance', ['calls', 0, 'toInstance'], undefined],
    ['no reporter', ['reporter'], DELETE],
    ['a reporter that is an array', ['reporter'], ['orders', 'orders-1']],
    ['a batch that is null', [], null],
    ['an interval of 1 ms', ['intervalSeconds'], 0.001],
    ['an interval under 1 ms', ['intervalSeconds'], 0.0009],
    ['an interval of 300 s', ['intervalSeconds'], 300],
    ['an interval over 300 s', ['intervalSeconds'], 300.5],
    ['an interval that is a string', ['intervalSeconds'], '5'],
    ['an interval start in UTC', ['intervalStart'], '2026-12-03T12:00:00Z'],
    ['an interval start without a zone', ['intervalStart'], '2026-12-03T12:00:00'],
    ['an interval start with a space', ['intervalStart'], '2026-12-03 12:00:00Z'],
    ['an interval start as epoch ms', ['intervalStart'], 1_764_763_200_000],
    ['calls that are an object', ['calls'], {}],
    ['no calls', ['calls'], []],
    ['a call that is null', ['calls', 1], null],
    ['a count of 1e9', ['calls', 0, 'count'], 1e9],
    ['a count over 1e9', ['calls', 0, 'count'], 1e9 + 1],
    ['a fractional count', ['calls', 0, 'count'], 2.5],
    ['a negative count', ['calls', 0, 'count'], -1],
    ['errors equal to the count', ['calls', 0, 'errors'], 300],
    ['errors over the count', ['calls', 0, 'errors'], 301],
    ['a histogram that is null', ['calls', 0, 'latencyMs'], null],
    ['bounds not increasing', ['calls', 0, 'latencyMs', 'bounds'], [1, 1, 10]],
    ['bounds decreasing', ['calls', 0, 'latencyMs', 'bounds'], [1, 10, 2.5]],
    ['a bound under 1 µs', ['calls', 0, 'latencyMs', 'bounds'], [0.0001, 2.5, 10]],
    ['one count too many', ['calls', 0, 'latencyMs', 'counts'], [1, 1, 1, 1, 1]],
    ['one count too few', ['calls', 0, 'latencyMs', 'counts'], [1, 1, 1]],
    ['a count that is a string', ['calls', 0, 'latencyMs', 'counts'], [1, '1', 1, 1]],
  ])('answers as the schema does for %s', (_, path, value) => {
    const batch = path.length === 0 ? value : set(path, value);
    const expected = IngestBatchSchema.safeParse(batch);
    const parsed = parseIngestBatch(batch);
    expect(parsed.success).toBe(expected.success);
    expect(parsed.data).toStrictEqual(expected.data);
    expect(issues(parsed)).toEqual(expected.error?.issues.map(({ path: at, message }) => ({ path: at, message })));
  });

  it('answers as the schema does at the limits of a batch: 1,000 calls, and calls × seconds', () => {
    for (const [callees, seconds] of [[1_000, 5], [1_001, 1], [100, 50], [101, 50]] as const) {
      const batch = { ...valid(), intervalSeconds: seconds, calls: Array.from({ length: callees }, (_, i) => ({ to: `c-${i}`, count: 1, errors: 0, latencyMs: { bounds: [1], counts: [1, 0] } })) };
      const expected = IngestBatchSchema.safeParse(batch);
      expect([callees, seconds, parseIngestBatch(batch).success]).toEqual([callees, seconds, expected.success]);
    }
  });
});
