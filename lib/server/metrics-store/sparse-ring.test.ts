import { describe, expect, it } from 'vitest';
import { FIELDS, PROBE_LAYOUT, QUANTISED_RELATIVE_ERROR } from './closed-ring';
import { SparseRing } from './sparse-ring';

const S0 = 1_795_000_003; // a slot number (seconds since the epoch), not on a multiple of 5

const readOf = (ring: SparseRing, slot: number): number[] => {
  const out = new Float32Array(FIELDS);
  ring.read(slot, out);
  return [...out];
};

/** A probe every `every` slots from `from` for `slots` slots: count 1, an error every 7th, latency from the slot. */
function probe(ring: SparseRing, from: number, slots: number, every: number): void {
  for (let slot = from; slot < from + slots; slot += every) ring.keep(slot, [1, slot % 7 === 0 ? 1 : 0, 1 + (slot % 50), 1 + (slot % 50), 1 + (slot % 50)]);
}

const expectProbe = (ring: SparseRing, slot: number): void => {
  const [count, errors, p50] = readOf(ring, slot);
  expect([count, errors]).toEqual([1, slot % 7 === 0 ? 1 : 0]);
  expect(Math.abs((p50 ?? NaN) - (1 + (slot % 50))) / (1 + (slot % 50))).toBeLessThanOrEqual(QUANTISED_RELATIVE_ERROR * 1.0001);
};

describe('sparse ring', () => {
  it('allocates nothing until a slot closes, then room for the slots that had data, not the window', () => {
    const ring = new SparseRing(900, PROBE_LAYOUT);
    expect(ring.capacity()).toBe(0);
    expect(readOf(ring, S0)[0]).toBeNaN();
    ring.keep(S0, [1, 0, 2, 2, 2]);
    expect(ring.capacity()).toBe(60);
    // A probe every 5 s for 2 h: 180 in the window at a time, in 240 entries.
    probe(ring, S0 + 5, 7_200, 5);
    expect(ring.capacity()).toBe(240);
  });

  it('keeps the last `length` slots after wrapping, reads the others as nothing closed', () => {
    const ring = new SparseRing(900, PROBE_LAYOUT);
    probe(ring, S0, 7_200, 5);
    const newest = S0 + 7_195;
    for (let slot = newest - 899; slot <= newest; slot += 1) {
      if ((slot - S0) % 5 === 0) expectProbe(ring, slot);
      else expect(readOf(ring, slot)[0]).toBeNaN();
    }
    expect(readOf(ring, newest - 900)[0]).toBeNaN();
    expect(readOf(ring, newest + 5)[0]).toBeNaN();
  });

  it('takes a late slot in order, overwrites a slot it holds, and refuses one older than the window', () => {
    const ring = new SparseRing(900, PROBE_LAYOUT);
    probe(ring, S0, 500, 5);
    expect(ring.keep(S0 + 2, [1, 0, 3, 3, 3])).toBe(true);
    expect(ring.keep(S0 + 5, [2, 1, 4, 4, 4])).toBe(true);
    expect(ring.keep(S0 + 495 - 900, [1, 0, 3, 3, 3])).toBe(false);
    expect(readOf(ring, S0 + 2)[0]).toBe(1);
    expect(readOf(ring, S0 + 5).slice(0, 2)).toEqual([2, 1]);
    for (let slot = S0 + 10; slot < S0 + 500; slot += 5) expectProbe(ring, slot);
    expectProbe(ring, S0);
  });

  it('forgets everything after a gap longer than the window, even one past the tags\u2019 16 bits', () => {
    const ring = new SparseRing(900, PROBE_LAYOUT);
    probe(ring, S0, 900, 5);
    ring.keep(S0 + 65_536, [1, 0, 9, 9, 9]);
    expect(readOf(ring, S0 + 65_536)[0]).toBe(1);
    expect(readOf(ring, S0)[0]).toBeNaN();
    for (let slot = S0 + 65_536 - 899; slot < S0 + 65_536; slot += 1) expect(readOf(ring, slot)[0]).toBeNaN();
  });

  it('holds at most `length` entries, every slot filled (the shortest probe interval)', () => {
    const ring = new SparseRing(900, PROBE_LAYOUT);
    probe(ring, S0, 3_000, 1);
    expect(ring.capacity()).toBe(900);
    for (let slot = S0 + 2_100; slot < S0 + 3_000; slot += 1) expectProbe(ring, slot);
  });
});
