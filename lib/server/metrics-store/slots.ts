import type { DDSketch } from '@datadog/sketches-js';
import type { LatencyPoint } from '@/lib/model/latency';
import { newSketch, quantilesOf, valueQuantiles, type Quantiles, type WeightedValue } from './histogram';

/** A slot holds raw weighted values (exact, cheap) until it has more than this many, then a sketch. */
const RAW_VALUES = 64;
/**
 * DDSketch answers 0 for every quantile when its total weight is below 1, and spreading an
 * interval over its seconds gives fractional weights; scaling every weight by one constant keeps
 * the quantiles and lifts the total.
 */
const SKETCH_WEIGHT_UNIT = 1_024;

interface OpenSlot {
  count: number;
  errors: number;
  values: WeightedValue[] | null;
  sketch: DDSketch | null;
}

function slotQuantiles(slot: OpenSlot): Quantiles | null {
  return slot.sketch ? quantilesOf(slot.sketch) : valueQuantiles(slot.values ?? []);
}

const FIELDS = 5; // count, errors, p50, p95, p99

/**
 * One resolution of a series: slots of `stepSeconds`, `length` of them kept. A slot keeps its
 * raw values or mergeable sketch only while data for it may still arrive (`graceSeconds` after it ends); then it
 * is reduced to count, errors and three quantiles in a Float32 ring — percentiles are always taken
 * from the merged distribution, and memory stays ~20 bytes per slot.
 */
export function createSlots(stepSeconds: number, length: number, graceSeconds: number) {
  const ring = new Float32Array(length * FIELDS);
  // Slot starts in whole seconds fit 32 bits until 2106: half the memory of a Float64Array.
  const ringStart = new Uint32Array(length);
  const open = new Map<number, OpenSlot>();

  const slotOf = (second: number): number => Math.floor(second / stepSeconds) * stepSeconds;
  const indexOf = (slotStart: number): number => (slotStart / stepSeconds) % length;

  const close = (slotStart: number, slot: OpenSlot): void => {
    const i = indexOf(slotStart);
    const q = slotQuantiles(slot);
    ringStart[i] = slotStart;
    ring.set([slot.count, slot.errors, q?.p50 ?? NaN, q?.p95 ?? NaN, q?.p99 ?? NaN], i * FIELDS);
  };

  const toPoint = (slotStart: number, count: number, errors: number, p50: number, p95: number, p99: number): LatencyPoint => ({
    t: slotStart * 1_000,
    p50Ms: Number.isNaN(p50) ? null : p50,
    p95Ms: Number.isNaN(p95) ? null : p95,
    p99Ms: Number.isNaN(p99) ? null : p99,
    rps: count / stepSeconds,
    errorRate: count > 0 ? errors / count : null,
  });

  return {
    stepSeconds,
    /** Adds calls at `second` (fractional counts allowed: an interval is spread over its seconds). */
    add(second: number, count: number, errors: number, values: readonly WeightedValue[], weightScale: number): void {
      const start = slotOf(second);
      let slot = open.get(start);
      if (!slot) open.set(start, (slot = { count: 0, errors: 0, values: [], sketch: null }));
      slot.count += count;
      slot.errors += errors;
      if (slot.values && slot.values.length + values.length <= RAW_VALUES) {
        for (const { value, weight } of values) slot.values.push({ value, weight: weight * weightScale });
        return;
      }
      if (!slot.sketch) {
        slot.sketch = newSketch();
        for (const raw of slot.values ?? []) slot.sketch.accept(raw.value, raw.weight * SKETCH_WEIGHT_UNIT);
        slot.values = null;
      }
      for (const { value, weight } of values) slot.sketch.accept(value, weight * weightScale * SKETCH_WEIGHT_UNIT);
    },
    /** Closes the slots nothing can reach any more. */
    sweep(nowSecond: number): void {
      for (const [start, slot] of open) {
        if (start + stepSeconds + graceSeconds <= nowSecond) {
          close(start, slot);
          open.delete(start);
        }
      }
    },
    /** Points for every slot in [from, to), zero-filled where nothing was seen. */
    points(fromSecond: number, toSecond: number): LatencyPoint[] {
      const points: LatencyPoint[] = [];
      for (let start = slotOf(fromSecond); start < toSecond; start += stepSeconds) {
        const slot = open.get(start);
        if (slot) {
          const q = slotQuantiles(slot);
          points.push(toPoint(start, slot.count, slot.errors, q?.p50 ?? NaN, q?.p95 ?? NaN, q?.p99 ?? NaN));
          continue;
        }
        const i = indexOf(start);
        if (ringStart[i] === start) {
          const [count = 0, errors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = ring.subarray(i * FIELDS, i * FIELDS + FIELDS);
          points.push(toPoint(start, count, errors, p50, p95, p99));
        } else points.push(toPoint(start, 0, 0, NaN, NaN, NaN));
      }
      return points;
    },
  };
}

export type Slots = ReturnType<typeof createSlots>;
