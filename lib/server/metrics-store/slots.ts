import type { DDSketch } from '@datadog/sketches-js';
import type { LatencyPoint } from '@/lib/model/latency';
import { clampLatency, newSketch, quantilesOf, valueQuantiles, type Quantiles, type WeightedValue } from './histogram';

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

interface OpenSlot {
  count: number;
  errors: number;
  /**
   * The values of the slot's only report so far, not copied: one report is spread over up to 300
   * seconds of three series, and a copy per slot made a 1 KB report cost megabytes. The array is
   * never modified (ingest makes one per call). Copied into `values` when a second report arrives.
   */
  only: readonly WeightedValue[] | null;
  onlyScale: number;
  values: Map<number, RawValue> | null;
  sketch: DDSketch | null;
}

/** A distinct value of a slot: summed weight, and the bucket it stands for (both reports' when two share a midpoint). */
interface RawValue {
  weight: number;
  lower?: number;
  upper?: number;
}

function slotQuantiles(slot: OpenSlot): Quantiles | null {
  if (slot.sketch) return quantilesOf(slot.sketch);
  if (slot.only) return valueQuantiles(slot.only.map((v) => ({ ...v, value: clampLatency(v.value) })));
  return valueQuantiles(Array.from(slot.values ?? [], ([value, raw]) => ({ value, ...raw })));
}

export const FIELDS = 5; // count, errors, p50, p95, p99

/** A closed slot as a ring keeps it (and the store persists it): count, errors, p50, p95, p99 as 32-bit floats, NaN for no latency. */
export type ClosedFields = Float32Array;
/**
 * Closed slots are kept in pages of this many, each allocated when its first slot closes: a
 * series costs memory for the time it has data, not its whole window up front (a fleet's
 * instances each get a probe series the moment they appear).
 */
const PAGE_SLOTS = 60;

interface Page {
  /** Which page of all time (slot number / PAGE_SLOTS) this one holds now. */
  number: number;
  /** FIELDS per slot; a NaN count marks a slot nothing closed into. */
  fields: Float32Array;
}

/**
 * One resolution of a series: slots of `stepSeconds`, at least `length` of them kept. A slot keeps
 * its raw values or mergeable sketch only while data for it may still arrive (`graceSeconds` after
 * it ends); then it is reduced to count, errors and three quantiles (20 bytes) in a page of a
 * ring — percentiles are always taken from the merged distribution. A class, not closures: every
 * instance of a fleet gets two of these when it appears.
 */
export class Slots {
  // One page more than the window needs, so a page being reused never cuts into the window.
  readonly #pages: (Page | undefined)[];
  readonly #open = new Map<number, OpenSlot>();
  readonly #graceSeconds: number;

  constructor(
    readonly stepSeconds: number,
    length: number,
    graceSeconds: number,
  ) {
    this.#graceSeconds = graceSeconds;
    this.#pages = new Array<Page | undefined>(Math.ceil(length / PAGE_SLOTS) + 1);
  }

  /**
   * Adds calls at `second` (fractional counts allowed: an interval is spread over its seconds).
   * Values are clamped into the sketchable range, so a slot's memory is bounded whatever it is fed.
   */
  add(second: number, count: number, errors: number, values: readonly WeightedValue[], weightScale: number): void {
    const start = this.#slotOf(second);
    const slot = this.#open.get(start);
    if (!slot) {
      // Quantiles do not depend on a common scale of the weights, so the only report needs none.
      this.#open.set(start, { count, errors, only: values, onlyScale: weightScale, values: null, sketch: null });
      return;
    }
    slot.count += count;
    slot.errors += errors;
    const only = slot.only;
    if (only) {
      slot.only = null;
      slot.values = new Map();
      Slots.#accept(slot, only, slot.onlyScale);
    }
    Slots.#accept(slot, values, weightScale);
  }

  /** Values into a slot's raw map (a sketch past RAW_VALUES distinct ones), clamped into the sketchable range. */
  static #accept(slot: OpenSlot, values: readonly WeightedValue[], weightScale: number): void {
    const raw = slot.values;
    if (raw) {
      for (const { value, weight, lower, upper } of values) {
        const kept = clampLatency(value);
        const found = raw.get(kept);
        if (!found) raw.set(kept, lower === undefined || upper === undefined ? { weight: weight * weightScale } : { weight: weight * weightScale, lower, upper });
        else {
          found.weight += weight * weightScale;
          // Two buckets around one midpoint: interpolate over both (a plain value has no range).
          if (found.lower !== undefined && found.upper !== undefined && lower !== undefined && upper !== undefined) {
            found.lower = Math.min(found.lower, lower);
            found.upper = Math.max(found.upper, upper);
          } else {
            delete found.lower;
            delete found.upper;
          }
        }
      }
      if (raw.size <= RAW_VALUES) return;
      // Built aside and swapped in whole: a slot is never left half raw, half sketch.
      const sketch = newSketch();
      for (const [value, { weight }] of raw) sketch.accept(value, weight * SKETCH_WEIGHT_UNIT);
      slot.sketch = sketch;
      slot.values = null;
      return;
    }
    for (const { value, weight } of values) slot.sketch?.accept(clampLatency(value), weight * weightScale * SKETCH_WEIGHT_UNIT);
  }

  /** Closes the slots nothing can reach any more; `onClosed` sees each one as the ring keeps it. */
  sweep(nowSecond: number, onClosed?: (slotStart: number, fields: ClosedFields) => void): void {
    for (const [start, slot] of this.#open) {
      if (start + this.stepSeconds + this.#graceSeconds <= nowSecond) {
        const q = slotQuantiles(slot);
        const kept = this.#keep(start, [slot.count, slot.errors, q?.p50 ?? NaN, q?.p95 ?? NaN, q?.p99 ?? NaN]);
        this.#open.delete(start);
        if (kept && onClosed) onClosed(start, kept);
      }
    }
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
        const q = slotQuantiles(slot);
        // Rounded to the 32-bit floats the ring will keep: a point reads the same open, closed or restored after a restart.
        const f = Math.fround;
        points.push(this.#point(start, f(slot.count), f(slot.errors), f(q?.p50 ?? NaN), f(q?.p95 ?? NaN), f(q?.p99 ?? NaN)));
        continue;
      }
      const { page, offset } = this.#locate(start);
      const [count = NaN, errors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = page ? page.fields.subarray(offset, offset + FIELDS) : [];
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
      const { page, offset } = this.#locate(start);
      const closed = page?.fields[offset];
      if (closed === undefined || Number.isNaN(closed)) continue;
      count += closed;
      errors += page?.fields[offset + 1] ?? 0;
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
      values.push({ value: p50, weight: slotCount * 0.5 }, { value: p95, weight: slotCount * 0.45 }, { value: p99, weight: slotCount * 0.05 });
    };
    for (let start = this.#slotOf(fromSecond); start < toSecond; start += this.stepSeconds) {
      const slot = this.#open.get(start);
      if (slot) {
        count += slot.count;
        errors += slot.errors;
        if (slot.only) for (const value of slot.only) values.push({ ...value, value: clampLatency(value.value), weight: value.weight * slot.onlyScale });
        else if (slot.values) for (const [value, raw] of slot.values) values.push({ value, ...raw });
        else {
          const q = slotQuantiles(slot);
          if (q) standIn(slot.count, q.p50, q.p95, q.p99);
        }
        continue;
      }
      const { page, offset } = this.#locate(start);
      const [closed = NaN, closedErrors = 0, p50 = NaN, p95 = NaN, p99 = NaN] = page ? page.fields.subarray(offset, offset + FIELDS) : [];
      if (Number.isNaN(closed)) continue;
      count += closed;
      errors += closedErrors;
      standIn(closed, p50, p95, p99);
    }
    return { count, errors, p95: valueQuantiles(values)?.p95 ?? null };
  }

  #slotOf(second: number): number {
    return Math.floor(second / this.stepSeconds) * this.stepSeconds;
  }

  /** The page holding a slot start, if it still holds that slot's lap, and the slot's offset in it. */
  #locate(slotStart: number): { page: Page | undefined; offset: number; number: number } {
    const slot = slotStart / this.stepSeconds;
    const number = Math.floor(slot / PAGE_SLOTS);
    const page = this.#pages[number % this.#pages.length];
    return { page: page?.number === number ? page : undefined, offset: (slot - number * PAGE_SLOTS) * FIELDS, number };
  }

  /** Writes a closed slot into its page; returns the page's view of it, or undefined when it is older than the ring. */
  #keep(slotStart: number, fields: ArrayLike<number>): ClosedFields | undefined {
    const found = this.#locate(slotStart);
    let page = found.page;
    if (!page) {
      const index = found.number % this.#pages.length;
      const previous = this.#pages[index];
      // A slot older than the window's pages has nowhere to go (and must not wipe newer ones).
      if (previous && previous.number > found.number) return undefined;
      page = previous ?? { number: found.number, fields: new Float32Array(PAGE_SLOTS * FIELDS) };
      page.number = found.number;
      page.fields.fill(NaN);
      this.#pages[index] = page;
    }
    page.fields.set(fields.length === FIELDS ? fields : Array.prototype.slice.call(fields, 0, FIELDS), found.offset);
    return page.fields.subarray(found.offset, found.offset + FIELDS);
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
