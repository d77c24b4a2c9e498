import { MAX_VALUE_MS, MIN_VALUE_MS } from './histogram';

export const FIELDS = 5; // count, errors, p50, p95, p99

/**
 * How a ring keeps a closed slot's FIELDS numbers: `stride` elements of its array a slot. `write`
 * and `read` go between the numbers (NaN: no latency; a NaN count: nothing closed) and the array;
 * a slot of zeros reads as nothing closed.
 */
export interface ClosedLayout {
  readonly stride: number;
  /** What a slot costs, in bytes (for the docs' arithmetic and tests). */
  readonly bytesPerSlot: number;
  /** An array for `slots` slots, each with `extra` elements more (a sparse ring's tag). */
  create(slots: number, extra?: number): Float32Array | Uint16Array;
  write(array: Float32Array | Uint16Array, at: number, fields: ArrayLike<number>): void;
  /** Marks a slot as nothing closed. */
  clear(array: Float32Array | Uint16Array, at: number): void;
  read(array: Float32Array | Uint16Array, at: number, out: Float32Array): void;
}

/** Call series: count, errors (fractional: an interval is spread over its seconds) and percentiles as 32-bit floats, 20 bytes. */
export const FLOAT_LAYOUT: ClosedLayout = {
  stride: FIELDS,
  bytesPerSlot: FIELDS * 4,
  create: (slots, extra = 0) => new Float32Array(slots * (FIELDS + extra)).fill(NaN),
  write(array, at, fields) {
    for (let i = 0; i < FIELDS; i += 1) array[at + i] = fields[i] ?? NaN;
  },
  clear: (array, at) => array.fill(NaN, at, at + FIELDS),
  read(array, at, out) {
    for (let i = 0; i < FIELDS; i += 1) out[i] = array[at + i] ?? NaN;
  },
};

const LOG_MIN = Math.log(MIN_VALUE_MS);
/** Code 0 is "no latency"; 1…65,535 cover [MIN_VALUE_MS, MAX_VALUE_MS] evenly in log scale. */
const CODE_STEPS = 0xffff - 1;
const LOG_STEP = (Math.log(MAX_VALUE_MS) - LOG_MIN) / CODE_STEPS;
/** The most a decoded latency differs from the value encoded, relatively (half a step, ~0.017 %). */
export const QUANTISED_RELATIVE_ERROR = Math.expm1(LOG_STEP / 2);

/** A latency as a 16-bit code (0 for NaN); values outside the range are clamped into it. */
export function encodeLatency(ms: number): number {
  if (Number.isNaN(ms)) return 0;
  const clamped = ms < MIN_VALUE_MS ? MIN_VALUE_MS : ms > MAX_VALUE_MS ? MAX_VALUE_MS : ms;
  return 1 + Math.min(CODE_STEPS, Math.max(0, Math.round((Math.log(clamped) - LOG_MIN) / LOG_STEP)));
}

export function decodeLatency(code: number): number {
  return code === 0 ? NaN : Math.exp(LOG_MIN + (code - 1) * LOG_STEP);
}

/** Probes or errors a probe slot holds at most (one byte each); the most a slot sees at the shortest probe interval (0.5 s) is 120. */
export const MAX_PROBE_COUNT = 0xff;

/**
 * Probe series: whole counts, so count and errors share one 16-bit number (a byte each, saturating
 * at 255 with errors scaled alike), and p50, p95, p99 as 16-bit log-scale codes: 8 bytes a slot
 * instead of 20. The percentiles already carry the sketch's 2 % accuracy; the codes add ≤ 0.02 %.
 */
export const PROBE_LAYOUT: ClosedLayout = {
  stride: 4,
  bytesPerSlot: 8,
  create: (slots, extra = 0) => new Uint16Array(slots * (4 + extra)),
  write(array, at, fields) {
    const rawCount = fields[0] ?? NaN;
    const count = rawCount >= 0 ? Math.round(rawCount) : 0;
    const rawErrors = Math.min(count, Math.round(fields[1] ?? 0) || 0);
    const errors = count > MAX_PROBE_COUNT ? Math.round((rawErrors * MAX_PROBE_COUNT) / count) : Math.max(0, rawErrors);
    array[at] = Math.min(count, MAX_PROBE_COUNT) | (errors << 8);
    array[at + 1] = encodeLatency(fields[2] ?? NaN);
    array[at + 2] = encodeLatency(fields[3] ?? NaN);
    array[at + 3] = encodeLatency(fields[4] ?? NaN);
  },
  clear: (array, at) => array.fill(0, at, at + 4),
  read(array, at, out) {
    const counts = array[at] ?? 0;
    out[0] = counts & 0xff;
    out[1] = counts >> 8;
    out[2] = decodeLatency(array[at + 1] ?? 0);
    out[3] = decodeLatency(array[at + 2] ?? 0);
    out[4] = decodeLatency(array[at + 3] ?? 0);
  },
};

/** Slots a ring holds when its first slot closes; it doubles as its data spans more, up to its length. */
export const FIRST_CAPACITY = 60;

/** Where a resolution keeps its closed slots: the last `length` slot numbers. */
export interface ClosedStore {
  readonly length: number;
  readonly layout: ClosedLayout;
  /** Writes a closed slot; false when it is older than the store holds (it must not wipe newer slots). */
  keep(slot: number, fields: ArrayLike<number>): boolean;
  /** Reads a slot into `out` (FIELDS numbers); a slot not held reads as a NaN count. */
  read(slot: number, out: Float32Array): void;
  /** Slots there is room for now (0 until a slot closes). */
  capacity(): number;
}

/**
 * The closed slots of one resolution: the last `length` slot numbers, in ONE typed array (each
 * array costs ~200 bytes of objects besides its data, and pages of 60 made 41 of them a series).
 * Nothing is allocated until a slot closes; the array then holds 60 slots and doubles whenever
 * the slots kept would span more, so a series costs memory for the time it has data, not its
 * whole window (every instance gets a probe series the moment it appears). Bounded: never more
 * than `length` slots.
 */
export class ClosedRing implements ClosedStore {
  #array: Float32Array | Uint16Array | null = null;
  #capacity = 0;
  /** The newest and oldest slot numbers written: the ring holds (newest − capacity, newest]. */
  #newest = 0;
  #oldest = 0;

  constructor(
    readonly length: number,
    readonly layout: ClosedLayout,
  ) {}

  /** Slots the array has room for now (0 until a slot closes). */
  capacity(): number {
    return this.#capacity;
  }

  /** Writes a closed slot; false when it is older than the ring holds (it must not wipe newer slots). */
  keep(slot: number, fields: ArrayLike<number>): boolean {
    const { layout } = this;
    if (!this.#array) {
      this.#capacity = Math.min(FIRST_CAPACITY, this.length);
      this.#array = layout.create(this.#capacity);
      this.#newest = slot;
      this.#oldest = slot;
    }
    if (slot <= this.#newest - this.length) return false;
    // Only what is still within the window counts: a series quiet for longer starts small again.
    const newest = Math.max(this.#newest, slot);
    const windowStart = newest - this.length + 1;
    const oldest = this.#newest >= windowStart ? Math.max(Math.min(this.#oldest, slot), windowStart) : slot;
    const span = newest - oldest + 1;
    if (span > this.#capacity && this.#capacity < this.length) this.#grow(span);
    const capacity = this.#capacity;
    if (slot <= this.#newest - capacity) return false;
    const array = this.#array as Float32Array | Uint16Array;
    if (slot > this.#newest) {
      // The slots skipped over may hold a lap ago's data: cleared (at most one lap's worth).
      for (let skipped = Math.max(this.#newest + 1, slot - capacity + 1); skipped < slot; skipped += 1) layout.clear(array, this.#at(skipped));
      this.#newest = slot;
    }
    this.#oldest = Math.max(Math.min(this.#oldest, slot), this.#newest - capacity + 1);
    layout.write(array, this.#at(slot), fields);
    return true;
  }

  /** Reads a slot into `out` (FIELDS numbers); a slot the ring does not hold reads as a NaN count. */
  read(slot: number, out: Float32Array): void {
    const array = this.#array;
    if (!array || slot > this.#newest || slot <= this.#newest - this.#capacity) {
      out[0] = NaN;
      return;
    }
    this.layout.read(array, this.#at(slot), out);
  }

  /** Where a slot starts in the array at the current capacity (slot numbers may be negative in tests). */
  #at(slot: number, capacity: number = this.#capacity): number {
    return (((slot % capacity) + capacity) % capacity) * this.layout.stride;
  }

  #grow(span: number): void {
    const before = this.#array as Float32Array | Uint16Array;
    const oldCapacity = this.#capacity;
    let capacity = oldCapacity;
    while (capacity < span && capacity < this.length) capacity = Math.min(capacity * 2, this.length);
    const { stride } = this.layout;
    const after = this.layout.create(capacity);
    for (let slot = Math.max(this.#oldest, this.#newest - oldCapacity + 1); slot <= this.#newest; slot += 1) {
      const from = this.#at(slot, oldCapacity);
      after.set(before.subarray(from, from + stride), this.#at(slot, capacity));
    }
    this.#array = after;
    this.#capacity = capacity;
  }
}
