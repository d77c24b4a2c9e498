import { describe, expect, it } from 'vitest';
import { ClosedRing, decodeLatency, encodeLatency, FIELDS, FLOAT_LAYOUT, MAX_PROBE_COUNT, PROBE_LAYOUT, QUANTISED_RELATIVE_ERROR } from './closed-ring';
import { MAX_VALUE_MS, MIN_VALUE_MS } from './histogram';

const S0 = 1_795_000_000; // a slot number (seconds since the epoch, in a 1 s ring)

const readOf = (ring: ClosedRing, slot: number): number[] => {
  const out = new Float32Array(FIELDS);
  ring.read(slot, out);
  return [...out];
};

const expectClose = (actual: number | undefined, expected: number): void => {
  expect(Math.abs((actual ?? NaN) - expected) / expected).toBeLessThanOrEqual(QUANTISED_RELATIVE_ERROR * 1.0001);
};

describe('latency codes', () => {
  it('round-trip within the stated error across the whole range, extremes included', () => {
    expect(QUANTISED_RELATIVE_ERROR).toBeLessThan(0.0002);
    for (const ms of [MIN_VALUE_MS, 0.0007, 0.3, 1, 2.5, 17.3, 999.9, 2_000, 60_000, MAX_VALUE_MS]) expectClose(decodeLatency(encodeLatency(ms)), ms);
    expect(encodeLatency(MIN_VALUE_MS)).toBe(1);
    expect(encodeLatency(MAX_VALUE_MS)).toBe(0xffff);
  });

  it('keep NaN as no latency, and clamp what lies outside the range', () => {
    expect(encodeLatency(NaN)).toBe(0);
    expect(decodeLatency(0)).toBeNaN();
    expect(encodeLatency(0)).toBe(1);
    expect(encodeLatency(1e12)).toBe(0xffff);
  });

  it('decode to values that encode to the same code (a restored slot reads bit for bit the same)', () => {
    for (const code of [1, 2, 1_000, 32_768, 65_534, 0xffff]) expect(encodeLatency(Math.fround(decodeLatency(code)))).toBe(code);
  });
});

describe('probe layout', () => {
  it('keeps counts, errors and percentiles of a closed slot in 8 bytes', () => {
    expect(PROBE_LAYOUT.bytesPerSlot).toBe(8);
    const ring = new ClosedRing(900, PROBE_LAYOUT);
    ring.keep(S0, [12, 3, MIN_VALUE_MS, 41.5, MAX_VALUE_MS]);
    const [count, errors, p50, p95, p99] = readOf(ring, S0);
    expect([count, errors]).toEqual([12, 3]);
    expectClose(p50, MIN_VALUE_MS);
    expectClose(p95, 41.5);
    expectClose(p99, MAX_VALUE_MS);
  });

  it('keeps a slot without latency (every probe failed before answering) as NaN percentiles', () => {
    const ring = new ClosedRing(900, PROBE_LAYOUT);
    ring.keep(S0, [1, 1, NaN, NaN, NaN]);
    expect(readOf(ring, S0)).toEqual([1, 1, NaN, NaN, NaN]);
  });

  it('saturates a count past a byte, errors scaled alike', () => {
    const ring = new ClosedRing(900, PROBE_LAYOUT);
    ring.keep(S0, [1_020, 510, 5, 5, 5]);
    expect(readOf(ring, S0).slice(0, 2)).toEqual([MAX_PROBE_COUNT, 128]);
  });
});

describe('closed ring', () => {
  it('allocates nothing until a slot closes, then one lap of 60 slots, growing by doubling up to its length', () => {
    const ring = new ClosedRing(900, PROBE_LAYOUT);
    expect(ring.capacity()).toBe(0);
    expect(readOf(ring, S0)[0]).toBeNaN();
    ring.keep(S0, [1, 0, 3, 3, 3]);
    expect(ring.capacity()).toBe(60);
    ring.keep(S0 + 60, [1, 0, 3, 3, 3]);
    expect(ring.capacity()).toBe(120);
    ring.keep(S0 + 400, [1, 0, 3, 3, 3]);
    expect(ring.capacity()).toBe(480);
    ring.keep(S0 + 800, [2, 0, 3, 3, 3]);
    expect(ring.capacity()).toBe(900);
    // Growing kept what the ring held.
    expect(readOf(ring, S0)[0]).toBe(1);
    expect(readOf(ring, S0 + 60)[0]).toBe(1);
    expect(readOf(ring, S0 + 800)[0]).toBe(2);
  });

  it('keeps every slot while it grows, and reads skipped slots as empty', () => {
    const ring = new ClosedRing(1_440, PROBE_LAYOUT);
    for (let slot = 0; slot < 1_000; slot += 5) ring.keep(S0 + slot, [1 + (slot % 7), slot % 2, slot + 1, slot + 2, slot + 3]);
    for (let slot = 0; slot <= 995; slot += 1) {
      const [count, errors, p50] = readOf(ring, S0 + slot);
      if (slot % 5 === 0) {
        expect([count, errors]).toEqual([1 + (slot % 7), slot % 2]);
        expectClose(p50, slot + 1);
      } else expect([count, p50]).toEqual([0, NaN]);
    }
  });

  it('wraps around after a lap: the last `length` slots read back, older ones as nothing closed', () => {
    for (const [length, layout] of [[900, PROBE_LAYOUT], [1_440, FLOAT_LAYOUT]] as const) {
      const ring = new ClosedRing(length, layout);
      const laps = 2.5 * length;
      for (let slot = 0; slot < laps; slot += 1) ring.keep(S0 + slot, [1 + (slot % 9), 0, 7, 8, 9]);
      expect(ring.capacity()).toBe(length);
      for (let slot = laps - length; slot < laps; slot += 1) expect(readOf(ring, S0 + slot)[0]).toBe(1 + (slot % 9));
      expect(readOf(ring, S0 + laps - length - 1)[0]).toBeNaN();
      expect(readOf(ring, S0 + laps)[0]).toBeNaN();
    }
  });

  it('clears a lap-old slot it skips over instead of reading it as new', () => {
    const ring = new ClosedRing(900, PROBE_LAYOUT);
    for (let slot = 0; slot < 900; slot += 1) ring.keep(S0 + slot, [2, 0, 5, 5, 5]);
    // Nothing closed for 10 s, then one slot: the 10 positions in between held slots a lap older.
    ring.keep(S0 + 910, [1, 0, 6, 6, 6]);
    for (let slot = 900; slot < 910; slot += 1) expect(readOf(ring, S0 + slot)[0]).toBe(0);
    expect(readOf(ring, S0 + 11)[0]).toBe(2);
    expect(readOf(ring, S0 + 10)[0]).toBeNaN();
  });

  it('grows only for slots still in the window: a slot a window past the rest, or one older than the window, keeps it small', () => {
    const ring = new ClosedRing(1_440, PROBE_LAYOUT);
    ring.keep(S0, [1, 0, 1, 1, 1]);
    ring.keep(S0 + 10, [2, 0, 1, 1, 1]);
    expect(ring.keep(S0 + 10 - 1_440, [9, 0, 9, 9, 9])).toBe(false);
    expect(ring.capacity()).toBe(60);
    ring.keep(S0 + 5_000, [3, 0, 1, 1, 1]);
    expect(ring.capacity()).toBe(60);
    expect(readOf(ring, S0 + 5_000)[0]).toBe(3);
    expect(readOf(ring, S0 + 10)[0]).toBeNaN();
    for (let slot = S0 + 5_000 - 59; slot < S0 + 5_000; slot += 1) expect(readOf(ring, slot)[0]).toBe(0);
  });

  it('refuses a slot older than it holds, and takes one within it (a restored minute) in any order', () => {
    const ring = new ClosedRing(1_440, FLOAT_LAYOUT);
    ring.keep(S0 + 2_000, [1, 0, 1, 1, 1]);
    expect(ring.keep(S0 + 2_000 - 1_440, [9, 0, 9, 9, 9])).toBe(false);
    expect(ring.keep(S0 + 2_000 - 1_439, [4, 1, 2, 3, 4])).toBe(true);
    expect(readOf(ring, S0 + 2_000 - 1_439)).toEqual([4, 1, 2, 3, 4]);
    expect(readOf(ring, S0 + 2_000)).toEqual([1, 0, 1, 1, 1]);
    expect(ring.capacity()).toBe(1_440);
  });
});
