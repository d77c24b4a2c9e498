import type { DDSketch } from '@datadog/sketches-js';
import type { LatencyPoint } from '@/lib/model/latency';
import { MAX_SKETCH_BINS, newSketch, quantilesOf, valueQuantiles, type Quantiles, type WeightedValue } from './histogram';
import { ClosedRing, FIELDS, FLOAT_LAYOUT, type ClosedStore } from './closed-ring';
import { PACKED_STRIDE } from './packed';
import { entryOf, shapedValues, unionOf, valueAt, weightedValues, type Shape, type ShapedValues } from './shapes';

/**
 * A slot holds its values exactly, as value → summed weight (and bucket bounds, for interpolated
 * quantiles), until it has more than this many distinct ones, then a sketch (bucket midpoints). Reporters' buckets repeat the same few midpoints call after call,
 * so most slots never need a sketch (whose every accept costs a logarithm).
 */
const RAW_VALUES = 64;
/**
 * DDSketch answers 0 for every quantile when its total weight is below 1, and spreading an
 * interval over its seconds gives fractional weights; scaling every weight by one constant keeps
 * the quantiles and lifts the total.
 */
const SKETCH_WEIGHT_UNIT = 1_024;
/**
 * What a slot's merged values cost, as counted against a budget (measured with Node 20): exact
 * values as if packed four numbers each (value, weight, bounds: 8 bytes a number plus the array's
 * headers) — more than they hold since their shapes are shared (one weight an entry), counted the
 * same so the budget coarsens the same slots — a sketch 8 bytes a bin of its store plus ~700 bytes
 * of objects.
 */
const RAW_BASE_BYTES = 32;
const SKETCH_BASE_BYTES = 700;
const SKETCH_BIN_BYTES = 8;
/** The most bins a sketch's store holds: the clamped range's bins, grown in DenseStore's chunks of 128. */
const MAX_SKETCH_STORE_BINS = Math.ceil(MAX_SKETCH_BINS / 128) * 128;

interface OpenSlot {
  count: number;
  errors: number;
  /**
   * The values of the slot's only report so far, not copied: one report is spread over up to 300
   * seconds of three series, and a copy per slot made a 1 KB report cost megabytes. The array is
   * never modified (ingest makes one per call). Copied into `weights` when a second report arrives.
   */
  only: ShapedValues | null;
  onlyScale: number;
  /** The merged values' shape (`shapes.ts`, shared) and the slot's own weights, one an entry of it. */
  shape: Shape | null;
  weights: number[] | null;
  sketch: DDSketch | null;
  /** What `raw` or `sketch` costs, as counted against the budget. */
  bytes: number;
  /** Over the budget: counts only, latency from `fallback`. */
  coarse: boolean;
}

const detailBytes = (slot: OpenSlot): number => {
  if (slot.sketch) return SKETCH_BASE_BYTES + SKETCH_BIN_BYTES * (slot.sketch.store.length() + slot.sketch.negativeStore.length());
  return slot.shape ? RAW_BASE_BYTES + 8 * PACKED_STRIDE * slot.shape.length : 0;
};

/**
 * Adds `count` values to a sketch, its smallest and largest first: DDSketch's store re-centres and
 * copies all its bins each time a value lands beyond its range, so values in increasing order (a
 * reporter's buckets) made a sketch of 65 buckets copy its bins 65 times.
 */
function intoSketch(sketch: DDSketch, count: number, valueAt: (i: number) => number, weightAt: (i: number) => number): void {
  let lowest = 0;
  let highest = 0;
  for (let i = 1; i < count; i += 1) {
    if (valueAt(i) < valueAt(lowest)) lowest = i;
    if (valueAt(i) > valueAt(highest)) highest = i;
  }
  if (count === 0) return;
  const binsBefore = sketch.store.length();
  sketch.accept(valueAt(highest), weightAt(highest));
  if (lowest !== highest) sketch.accept(valueAt(lowest), weightAt(lowest));
  for (let i = 0; i < count; i += 1) if (i !== lowest && i !== highest) sketch.accept(valueAt(i), weightAt(i));
  // Re-centring grows the bins by `unshift`, which leaves the array half again as much spare room
  // (a full-range sketch 8.5 KB instead of 5.8 KB): copied to its exact size once it has grown.
  if (sketch.store.length() !== binsBefore) sketch.store.bins = sketch.store.bins.slice();
}

/** A shape's values with their weights (× `weightScale`) into a sketch; returns the sketch. */
function shapedIntoSketch(sketch: DDSketch, shape: Shape, weights: readonly number[], weightScale: number): DDSketch {
  intoSketch(sketch, shape.length, (i) => valueAt(shape, i), (i) => (weights[i] as number) * weightScale * SKETCH_WEIGHT_UNIT);
  return sketch;
}

/**
 * Bounds what the merged values of a resolution's open slots may hold: past `bytes`, a slot keeps
 * its counts and takes its quantiles from `fallback` (the same calls at a coarser resolution).
 */
export interface DetailBudget {
  bytes: number;
  fallback: (slotStart: number) => Quantiles | null;
}

export { FIELDS };

/** A closed slot as a ring keeps it (and the store persists it): count, errors, p50, p95, p99, NaN for no latency. Valid during the call it is passed to. */
export type ClosedFields = Float32Array;

/** How a closed slot's p50, p95 and p99 stand in for its calls' values (`Slots.window`, `Slots.reopen`). */
const STAND_IN_SHARES = [0.5, 0.45, 0.05] as const;

/** A closed slot's percentiles as values weighted by STAND_IN_SHARES of its calls: a shape's values are distinct and increasing. */
function standInValues(count: number, [p50, p95, p99]: readonly [number, number, number]): ShapedValues {
  const [p50Share, p95Share, p99Share] = STAND_IN_SHARES;
  const weighted = [
    { value: p50, weight: count * p50Share },
    { value: p95, weight: count * p95Share },
    { value: p99, weight: count * p99Share },
  ].filter(({ value }) => !Number.isNaN(value));
  const packed: number[] = [];
  for (const { value, weight } of weighted.sort((a, b) => a.value - b.value)) {
    const last = packed.length - PACKED_STRIDE;
    if (last >= 0 && packed[last] === value) packed[last + 1] = (packed[last + 1] as number) + weight;
    else packed.push(value, weight, NaN, NaN);
  }
  return shapedValues(packed, false);
}

/** Where closed slots are read into and handed out from (reads and sweeps are synchronous). */
const closedScratch = new Float32Array(FIELDS);

/**
 * One resolution of a series: slots of `stepSeconds`, at least `length` of them kept. A slot keeps
 * its raw values or mergeable sketch only while data for it may still arrive (`graceSeconds` after
 * it ends); then it is reduced to count, errors and three quantiles in a ring (`closed-ring.ts`:
 * 20 bytes a slot, or 8 in the probes' layout) — percentiles are always taken from the merged distribution. A class, not closures: every
 * instance of a fleet gets two of these when it appears.
 */
export class Slots {
  readonly #closed: ClosedStore;
  readonly #open = new Map<number, OpenSlot>();
  readonly #graceSeconds: number;
  readonly #budget: DetailBudget | undefined;
  /** What the open slots' merged values cost, as counted against the budget. */
  #detailBytes = 0;

  constructor(
    readonly stepSeconds: number,
    length: number,
    graceSeconds: number,
    budget?: DetailBudget,
    /** Where closed slots go (`closed-ring.ts`, `sparse-ring.ts`); by default a dense ring of 32-bit floats. */
    closed: ClosedStore = new ClosedRing(length, FLOAT_LAYOUT),
  ) {
    this.#graceSeconds = graceSeconds;
    this.#budget = budget;
    this.#closed = closed;
  }

  /**
   * Adds calls at `second` (fractional counts allowed: an interval is spread over its seconds).
   * Values are clamped into the sketchable range, so a slot's memory is bounded whatever it is fed;
   * with a budget, so is what all open slots hold together.
   */
  add(second: number, count: number, errors: number, values: ShapedValues, weightScale: number): void {
    const start = this.#slotOf(second);
    const slot = this.#open.get(start);
    if (!slot) {
      // Quantiles do not depend on a common scale of the weights, so the only report needs none.
      this.#open.set(start, { count, errors, only: values, onlyScale: weightScale, shape: null, weights: null, sketch: null, bytes: 0, coarse: false });
      return;
    }
    slot.count += count;
    slot.errors += errors;
    if (slot.coarse) return;
    // The usual case, first: a report of the shape the slot holds adds its weights by position and costs nothing more.
    if (values.shape === slot.shape && slot.weights) {
      const { weights } = slot;
      const added = values.weights;
      for (let k = 0; k < added.length; k += 1) weights[k] = (weights[k] as number) + (added[k] as number) * weightScale;
      return;
    }
    // Next, a lone value the slot holds (a span's duration bucket, a probe's latency seen before): its weight by position.
    if (values.shape.length === 1 && slot.shape && slot.weights) {
      const at = entryOf(slot.shape, values.shape);
      if (at >= 0) {
        slot.weights[at] = (slot.weights[at] as number) + (values.weights[0] as number) * weightScale;
        return;
      }
    }
    // Coarsened before merging when the merge may not fit: building values only to drop them
    // left megabytes of garbage per request.
    if (this.#budget && this.#detailBytes - slot.bytes + Slots.#mergedBound(slot, values) > this.#budget.bytes) {
      this.#coarsen(slot);
      return;
    }
    const only = slot.only;
    if (only) {
      slot.only = null;
      const onlyScale = slot.onlyScale;
      slot.shape = only.shape;
      slot.weights = only.weights.map((weight) => weight * onlyScale);
    }
    Slots.#accept(slot, values, weightScale);
    const bytes = detailBytes(slot);
    this.#detailBytes += bytes - slot.bytes;
    slot.bytes = bytes;
    if (this.#budget && this.#detailBytes > this.#budget.bytes) this.#coarsen(slot);
  }

  /** What a slot's merged values may cost once `values` are in: packed raw values, or a sketch past RAW_VALUES. */
  static #mergedBound(slot: OpenSlot, values: ShapedValues): number {
    const entries = ((slot.shape ?? slot.only?.shape)?.length ?? 0) + values.shape.length;
    if (!slot.sketch && entries <= RAW_VALUES) return RAW_BASE_BYTES + 8 * PACKED_STRIDE * entries;
    return SKETCH_BASE_BYTES + SKETCH_BIN_BYTES * MAX_SKETCH_STORE_BINS;
  }

  /** Drops a slot's values for its counts alone: its quantiles come from the budget's fallback. */
  #coarsen(slot: OpenSlot): void {
    this.#detailBytes -= slot.bytes;
    slot.bytes = 0;
    slot.only = null;
    slot.shape = null;
    slot.weights = null;
    slot.sketch = null;
    slot.coarse = true;
  }

  /** Values into a slot's exact values (a sketch past RAW_VALUES distinct ones). */
  static #accept(slot: OpenSlot, values: ShapedValues, weightScale: number): void {
    const { shape, weights } = slot;
    if (shape && weights) {
      const added = values.weights;
      // A report of a shape within the slot's, its weights added by position (of the same shape: `add`).
      const union = unionOf(shape, values.shape);
      const { ownAt, otherAt } = union;
      if (union.shape === shape) {
        for (let k = 0; k < added.length; k += 1) weights[otherAt[k] as number] = (weights[otherAt[k] as number] as number) + (added[k] as number) * weightScale;
        return;
      }
      // A new array of exactly the union's size (an array grown by pushes keeps up to half again as much room).
      const merged = new Array<number>(union.shape.length).fill(0);
      for (let k = 0; k < weights.length; k += 1) merged[ownAt[k] as number] = weights[k] as number;
      for (let k = 0; k < added.length; k += 1) merged[otherAt[k] as number] = (merged[otherAt[k] as number] as number) + (added[k] as number) * weightScale;
      if (union.shape.length <= RAW_VALUES) {
        slot.shape = union.shape;
        slot.weights = merged;
        return;
      }
      // Built aside and swapped in whole: a slot is never left half raw, half sketch.
      slot.sketch = shapedIntoSketch(newSketch(), union.shape, merged, 1);
      slot.shape = null;
      slot.weights = null;
      return;
    }
    if (slot.sketch) shapedIntoSketch(slot.sketch, values.shape, values.weights, weightScale);
  }

  /** Closes the slots nothing can reach any more; `onClosed` sees each one as the ring keeps it. */
  sweep(nowSecond: number, onClosed?: (slotStart: number, fields: ClosedFields) => void): void {
    for (const [start, slot] of this.#open) {
      if (start + this.stepSeconds + this.#graceSeconds <= nowSecond) {
        const q = this.#quantiles(start, slot);
        const kept = this.#keep(start, [slot.count, slot.errors, q?.p50 ?? NaN, q?.p95 ?? NaN, q?.p99 ?? NaN]);
        this.#detailBytes -= slot.bytes;
        this.#open.delete(start);
        if (kept && onClosed) onClosed(start, this.#read(start));
      }
    }
  }

  /**
   * Opens again a closed slot more calls arrive for (a minute an earlier run persisted, reached back
   * into by the first report after a restart), holding its calls, errors and percentiles — as stand-in
   * values weighted 50/45/5 %, as `window` weighs them — for the new calls to be merged with: they
   * are other calls, and an open slot hides the closed one (it read, and was persisted again, with the
   * new calls alone). Its calls and errors; null when it is open or nothing closed is held there.
   */
  reopen(slotStart: number): { count: number; errors: number } | null {
    if (this.#open.has(slotStart)) return null;
    const [count = NaN, errors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = this.#read(slotStart);
    if (Number.isNaN(count)) return null;
    this.add(slotStart, count, errors, standInValues(count, [p50, p95, p99]), 1);
    return { count, errors };
  }

  /** Puts back a slot closed by an earlier run (read from the store); one older than the ring has nowhere to go. */
  restore(slotStart: number, fields: ArrayLike<number>): void {
    if (slotStart % this.stepSeconds !== 0 || this.#open.has(slotStart)) return;
    if (fields.length >= FIELDS) this.#keep(slotStart, fields);
  }

  /** Points for every slot in [from, to), zero-filled where nothing was seen. */
  points(fromSecond: number, toSecond: number): LatencyPoint[] {
    const points: LatencyPoint[] = [];
    for (let start = this.#slotOf(fromSecond); start < toSecond; start += this.stepSeconds) {
      const slot = this.#open.get(start);
      if (slot) {
        const q = this.#quantiles(start, slot);
        // Rounded as the ring will keep them: a point reads the same open, closed or restored after a restart.
        const [count = 0, errors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = this.#asKept([slot.count, slot.errors, q?.p50 ?? NaN, q?.p95 ?? NaN, q?.p99 ?? NaN]);
        points.push(this.#point(start, count, errors, p50, p95, p99));
        continue;
      }
      const [count = NaN, errors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = this.#read(start);
      points.push(Number.isNaN(count) ? this.#point(start, 0, 0, NaN, NaN, NaN) : this.#point(start, count, errors, p50, p95, p99));
    }
    return points;
  }

  /** Calls and errors of the slots in [from, to), without the cost of their quantiles. */
  totals(fromSecond: number, toSecond: number): { count: number; errors: number } {
    let count = 0;
    let errors = 0;
    for (let start = this.#slotOf(fromSecond); start < toSecond; start += this.stepSeconds) {
      const slot = this.#open.get(start);
      if (slot) {
        count += slot.count;
        errors += slot.errors;
        continue;
      }
      const [closed = NaN, closedErrors = 0] = this.#read(start);
      if (Number.isNaN(closed)) continue;
      count += closed;
      errors += closedErrors;
    }
    return { count, errors };
  }

  /**
   * Calls, errors and p95 of the slots in [from, to) as ONE distribution, comparable with a minute
   * slot's p95: open slots' values merged exactly (interpolated within their buckets); a closed or
   * sketched slot stands in by its p50, p95 and p99 (weighted 50/45/5 %). The mean of per-second
   * p95s would not do: a second with two calls has its slowest call as p95, which made a quiet
   * service look 3× slower than its usual for no reason.
   */
  window(fromSecond: number, toSecond: number): { count: number; errors: number; p95: number | null } {
    let count = 0;
    let errors = 0;
    const values: WeightedValue[] = [];
    const standIn = (slotCount: number, p50: number, p95: number, p99: number): void => {
      if (!(slotCount > 0) || Number.isNaN(p95)) return;
      values.push({ value: p50, weight: slotCount * STAND_IN_SHARES[0] }, { value: p95, weight: slotCount * STAND_IN_SHARES[1] }, { value: p99, weight: slotCount * STAND_IN_SHARES[2] });
    };
    for (let start = this.#slotOf(fromSecond); start < toSecond; start += this.stepSeconds) {
      const slot = this.#open.get(start);
      if (slot) {
        count += slot.count;
        errors += slot.errors;
        if (slot.only) values.push(...weightedValues(slot.only.shape, slot.only.weights, slot.onlyScale));
        else if (slot.shape && slot.weights) values.push(...weightedValues(slot.shape, slot.weights));
        else {
          const q = this.#quantiles(start, slot);
          if (q) standIn(slot.count, q.p50, q.p95, q.p99);
        }
        continue;
      }
      const [closed = NaN, closedErrors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = this.#read(start);
      if (Number.isNaN(closed)) continue;
      count += closed;
      errors += closedErrors;
      standIn(closed, p50, p95, p99);
    }
    return { count, errors, p95: valueQuantiles(values)?.p95 ?? null };
  }

  /** The quantiles of an open slot (null without values). */
  openQuantiles(slotStart: number): Quantiles | null {
    const slot = this.#open.get(slotStart);
    return slot ? this.#quantiles(slotStart, slot) : null;
  }

  #quantiles(slotStart: number, slot: OpenSlot): Quantiles | null {
    if (slot.coarse) return this.#budget?.fallback(slotStart) ?? null;
    if (slot.sketch) return quantilesOf(slot.sketch);
    if (slot.only) return valueQuantiles(weightedValues(slot.only.shape, slot.only.weights));
    return slot.shape && slot.weights ? valueQuantiles(weightedValues(slot.shape, slot.weights)) : null;
  }

  #slotOf(second: number): number {
    return Math.floor(second / this.stepSeconds) * this.stepSeconds;
  }

  /** A closed slot's fields (a NaN count: nothing closed there, or it left the ring), in a shared scratch array. */
  #read(slotStart: number): ClosedFields {
    this.#closed.read(slotStart / this.stepSeconds, closedScratch);
    return closedScratch;
  }

  /** Writes a closed slot into the ring; false when it is older than the ring holds. */
  #keep(slotStart: number, fields: ArrayLike<number>): boolean {
    return this.#closed.keep(slotStart / this.stepSeconds, fields);
  }

  /** Fields as the ring would give them back (its rounding or quantisation). */
  #asKept(fields: ArrayLike<number>): Float32Array {
    const { layout } = this.#closed;
    const one = layout.create(1);
    layout.write(one, 0, fields);
    layout.read(one, 0, closedScratch);
    return closedScratch;
  }

  #point(slotStart: number, count: number, errors: number, p50: number, p95: number, p99: number): LatencyPoint {
    return {
      t: slotStart * 1_000,
      p50Ms: Number.isNaN(p50) ? null : p50,
      p95Ms: Number.isNaN(p95) ? null : p95,
      p99Ms: Number.isNaN(p99) ? null : p99,
      rps: count / this.stepSeconds,
      errorRate: count > 0 ? errors / count : null,
    };
  }
}
