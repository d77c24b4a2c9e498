import { describe, expect, it } from 'vitest';
import { MAX_VALUE_MS, MIN_VALUE_MS, RELATIVE_ACCURACY, type WeightedValue } from './histogram';
import { packValues } from './packed';
import { shapedBuckets, shapedValues } from './shapes';
import { Slots } from './slots';

/** Adds weighted values as ingest does: packed once and shaped (`packed.ts`, `shapes.ts`). */
const add = (slots: Slots, second: number, count: number, errors: number, values: WeightedValue[], weightScale: number): void =>
  slots.add(second, count, errors, shapedValues(packValues(values)), weightScale);

const T0 = 1_795_000_000; // a whole minute, in seconds
const M0 = Math.floor(T0 / 60) * 60;

/** One call per slot for `slots` slots from `from`, closing each as time passes it. */
function fill(slots: Slots, from: number, count: number, latency: (i: number) => number): void {
  for (let i = 0; i < count; i += 1) {
    const second = from + i * slots.stepSeconds;
    add(slots, second, 1, i % 2, [{ value: latency(i), weight: 1 }], 1);
    slots.sweep(second + slots.stepSeconds);
  }
}

describe('slots', () => {
  it('keeps every closed slot of the window, across page boundaries and laps of the ring', () => {
    const slots = new Slots(1, 900, 0);
    fill(slots, T0, 2_000, (i) => i);
    const end = T0 + 2_000;
    const points = slots.points(end - 900, end);
    expect(points).toHaveLength(900);
    points.forEach((point, k) => {
      const i = 2_000 - 900 + k;
      expect(point.t).toBe((T0 + i) * 1_000);
      expect(point.rps).toBe(1);
      expect(point.errorRate).toBe(i % 2);
      expect(point.p50Ms).toBe(i);
    });
  });

  it('reads slots it never saw, or that left the window, as empty', () => {
    const slots = new Slots(60, 1_440, 0);
    add(slots, T0, 3, 0, [{ value: 7, weight: 3 }], 1);
    slots.sweep(T0 + 3_600);
    const [seen, unseen] = slots.points(T0, T0 + 120);
    expect(seen).toMatchObject({ rps: 3 / 60, p50Ms: 7 });
    expect(unseen).toMatchObject({ rps: 0, errorRate: null, p50Ms: null });
    // A day and more later the same ring position holds a newer lap: the old slot is gone.
    fill(slots, T0 + 1_441 * 60, 60, () => 1);
    expect(slots.points(T0, T0 + 60)[0]).toMatchObject({ rps: 0, p50Ms: null });
  });

  it('drops a slot that closes after the ring moved past it instead of wiping newer slots', () => {
    const slots = new Slots(1, 60, 10_000);
    fill(slots, T0 + 200, 60, () => 9);
    // Held open by a long grace, then closed after the newer slots: it belongs where they are now.
    add(slots, T0, 1, 0, [{ value: 5, weight: 1 }], 1);
    slots.sweep(T0 + 100_000);
    const recent = slots.points(T0 + 200, T0 + 260);
    expect(recent.every((point) => point.rps === 1 && point.p50Ms === 9)).toBe(true);
  });

  it('stays exact while values repeat, and turns to a sketch within its accuracy past 64 distinct ones', () => {
    const repeated = new Slots(1, 900, 0);
    for (let call = 0; call < 1_000; call += 1) add(repeated, T0, 1, 0, [{ value: 2.5, weight: 90 }, { value: 7.5, weight: 9 }, { value: 400, weight: 1 }], 1);
    expect(repeated.points(T0, T0 + 1)[0]).toMatchObject({ p50Ms: 2.5, p95Ms: 7.5, p99Ms: 7.5 });

    const spread = new Slots(1, 900, 0);
    const values = Array.from({ length: 1_000 }, (_, i) => i + 1);
    for (const value of values) add(spread, T0, 1, 0, [{ value, weight: 1 }], 1);
    const point = spread.points(T0, T0 + 1)[0];
    for (const [quantile, field] of [[0.5, 'p50Ms'], [0.95, 'p95Ms'], [0.99, 'p99Ms']] as const) {
      const exact = values[Math.ceil(quantile * values.length) - 1] as number;
      expect(Math.abs((point?.[field] ?? 0) - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
  });

  it('weighs a slot\'s first report by its own share when a second report arrives', () => {
    // A 1 s report of a fast call, then a 300 s report's 1/300 share of a slow one.
    const slots = new Slots(1, 900, 0);
    add(slots, T0, 1, 0, [{ value: 1, weight: 1 }], 1);
    add(slots, T0, 1 / 300, 0, [{ value: 1_000, weight: 1 }], 1 / 300);
    expect(slots.points(T0, T0 + 1)[0]).toMatchObject({ p50Ms: 1, p95Ms: 1, p99Ms: 1 });
  });

  it('clamps hostile values into the sketchable range instead of growing a sketch without bound', () => {
    const slots = new Slots(1, 900, 0);
    const values = Array.from({ length: 65 }, (_, i) => ({ value: 10 ** (-300 + i * 9), weight: 1 }));
    expect(() => add(slots, T0, 65, 0, values, 1)).not.toThrow();
    expect(() => add(slots, T0, 65, 0, [...values, { value: Infinity, weight: 1 }], 1)).not.toThrow();
    const point = slots.points(T0, T0 + 1)[0];
    expect(point?.p50Ms).toBeGreaterThanOrEqual(MIN_VALUE_MS * (1 - RELATIVE_ACCURACY));
    expect(point?.p99Ms).toBeLessThanOrEqual(MAX_VALUE_MS * (1 + RELATIVE_ACCURACY));
  });

  it('reads a point the same while its slot is open as once it closed, and hands the closed slot over as the ring keeps it', () => {
    const slots = new Slots(60, 1_440, 90);
    add(slots, M0, 1 / 3, 0, [{ value: 30, weight: 1, lower: 10, upper: 50 }, { value: 75, weight: 1, lower: 50, upper: 100 }], 1 / 3);
    const open = slots.points(M0, M0 + 60);
    const handed: Array<[number, number[]]> = [];
    slots.sweep(M0 + 60 + 90, (start, fields) => handed.push([start, Array.from(fields)]));
    expect(slots.points(M0, M0 + 60)).toEqual(open);
    expect(open[0]?.p95Ms).toBe(Math.fround(open[0]?.p95Ms ?? 0));
    expect(handed).toEqual([[M0, [Math.fround(1 / 3), 0, open[0]?.p50Ms, open[0]?.p95Ms, open[0]?.p99Ms]]]);
  });

  it('restores a closed slot from an earlier run into the ring, and one a lap older does not wipe it', () => {
    const slots = new Slots(60, 1_440, 90);
    const fields = Float32Array.from([120, 6, 4.5, 9.25, Number.NaN]);
    slots.restore(M0 + 120, fields);
    // 25 pages of 60 minutes: the same place in the ring one lap earlier.
    slots.restore(M0 + 120 - 25 * 3_600, Float32Array.from([60, 0, 1, 1, 1]));
    expect(slots.points(M0 + 120, M0 + 180)).toEqual([{ t: (M0 + 120) * 1_000, rps: 2, errorRate: 0.05, p50Ms: 4.5, p95Ms: 9.25, p99Ms: null }]);
  });

  it('opens a restored slot again with its calls, errors and percentiles for new calls to be merged with, and closes it with both', () => {
    const slots = new Slots(60, 1_440, 90);
    slots.restore(M0, Float32Array.from([1_000, 100, 10, 20, 30]));
    expect(slots.reopen(M0)).toEqual({ count: 1_000, errors: 100 });
    // Open already: nothing more to merge.
    expect(slots.reopen(M0)).toBeNull();
    // Nothing closed there.
    expect(slots.reopen(M0 + 60)).toBeNull();
    // 1,000 more calls, all slower than the restored p99, half of them failing.
    add(slots, M0, 1_000, 500, [{ value: 100, weight: 1_000 }], 1);
    const [merged] = slots.points(M0, M0 + 60);
    expect(merged).toMatchObject({ rps: 2_000 / 60, errorRate: 600 / 2_000, p99Ms: expect.closeTo(100, 0) });
    // Half the calls are the restored ones, at most 30 ms: the median is among them.
    expect(merged?.p50Ms).toBeLessThanOrEqual(30);
    const closed: number[][] = [];
    slots.sweep(M0 + 60 + 90, (start, fields) => closed.push([start, fields[0] as number, fields[1] as number]));
    expect(closed).toEqual([[M0, 2_000, 600]]);
  });

  it('past its budget keeps a slot\'s counts and takes its quantiles from the fallback, and gets the room back as slots close', () => {
    const fallback = { p50: 1_000, p95: 2_000, p99: 3_000 };
    // Room for two slots of two packed values each (32 + 2 × 4 × 8 bytes).
    const slots = new Slots(1, 900, 0, { bytes: 2 * 96, fallback: () => fallback });
    const twice = (second: number): void => {
      add(slots, second, 1, 0, [{ value: 5, weight: 1 }], 1);
      add(slots, second, 1, 1, [{ value: 7, weight: 1 }], 1);
    };
    for (let second = T0; second < T0 + 3; second += 1) twice(second);
    const [first, second, third] = slots.points(T0, T0 + 3);
    expect(first).toMatchObject({ rps: 2, errorRate: 0.5, p50Ms: 5, p99Ms: 7 });
    expect(second).toMatchObject({ rps: 2, p50Ms: 5, p99Ms: 7 });
    expect(third).toMatchObject({ rps: 2, errorRate: 0.5, p50Ms: 1_000, p95Ms: 2_000, p99Ms: 3_000 });
    // A third report to a coarse slot still counts.
    add(slots, T0 + 2, 1, 0, [{ value: 5, weight: 1 }], 1);
    expect(slots.points(T0 + 2, T0 + 3)[0]).toMatchObject({ rps: 3, p50Ms: 1_000 });

    slots.sweep(T0 + 3);
    twice(T0 + 10);
    expect(slots.points(T0 + 10, T0 + 11)[0]).toMatchObject({ p50Ms: 5, p99Ms: 7 });
    expect(slots.points(T0 + 2, T0 + 3)[0], 'closed with the fallback\'s figures').toMatchObject({ rps: 3, p50Ms: 1_000 });
  });

  it('merges a report of the shape a slot holds at the edge of its budget: it takes no more room', () => {
    const fallback = { p50: 1_000, p95: 2_000, p99: 3_000 };
    // Room for one slot of two packed values (32 + 2 × 4 × 8 bytes), which the first two reports fill.
    const slots = new Slots(1, 900, 0, { bytes: 96, fallback: () => fallback });
    add(slots, T0, 1, 0, [{ value: 5, weight: 1 }], 1);
    add(slots, T0, 1, 0, [{ value: 7, weight: 1 }], 1);
    add(slots, T0, 4, 0, [{ value: 5, weight: 1 }, { value: 7, weight: 3 }], 1);
    expect(slots.points(T0, T0 + 1)[0]).toMatchObject({ rps: 6, p50Ms: 7 });
    // A value it does not hold would take room: past the budget, the fallback's figures.
    add(slots, T0, 1, 0, [{ value: 9, weight: 1 }], 1);
    expect(slots.points(T0, T0 + 1)[0]).toMatchObject({ rps: 7, p50Ms: 1_000 });
  });

  it('merges values given in any order into one entry a value, weights summed', () => {
    const slots = new Slots(1, 900, 0);
    add(slots, T0, 1, 0, [{ value: 9, weight: 1 }, { value: 1, weight: 1 }], 1);
    add(slots, T0, 1, 0, [{ value: 9, weight: 2 }, { value: 1, weight: 1 }, { value: 9, weight: 1 }], 1);
    // Weights: 1 → 2, 9 → 4: the median is 9.
    expect(slots.points(T0, T0 + 1)[0]).toMatchObject({ p50Ms: 9, p99Ms: 9 });
  });

  it('gives lone values (spans) the quantiles of the same calls reported at once, whatever their order', () => {
    const buckets = [1, 2, 4, 8, 16, 32, 64];
    const spanIn = (k: number) => shapedBuckets([buckets[k] as number, buckets[k + 1] as number], [0, 1, 0]);
    const one = new Slots(1, 60, 5);
    const perSpan = new Slots(1, 60, 5);
    const ks = [3, 1, 3, 5, 0, 3, 1, 5, 2, 4, 3, 0, 5, 5, 1];
    for (const k of ks) perSpan.add(T0, 1, 0, spanIn(k), 1);
    const counts = new Array<number>(buckets.length + 1).fill(0);
    for (const k of ks) counts[k + 1] = (counts[k + 1] as number) + 1;
    one.add(T0, ks.length, 0, shapedBuckets(buckets, counts), 1);
    expect(perSpan.points(T0, T0 + 1)).toEqual(one.points(T0, T0 + 1));
  });
});
