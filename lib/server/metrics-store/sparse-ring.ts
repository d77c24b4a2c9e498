import { FIRST_CAPACITY, type ClosedLayout, type ClosedStore } from './closed-ring';

/** Slot numbers are kept by their low 16 bits: a window is far shorter than 65,536 slots. */
const TAG_MASK = 0xffff;

/**
 * The closed slots of one resolution that has data in few of them — a probe every 5 s fills one
 * 1 s slot in 5 — as a circular list of (slot tag, fields) in increasing slot order, in ONE typed
 * array: what a dense ring spends on empty slots is not spent (a 5 s probe series holds 180
 * entries of 10 bytes in 15 min instead of 900 slots of 8). Nothing is allocated until a slot
 * closes, then 60 entries, doubling when full up to `length` — never more than `length` entries,
 * since they are distinct slots of the window; at the shortest probe interval (0.5 s) every slot is
 * filled and it costs a fifth more than the dense ring would.
 */
export class SparseRing implements ClosedStore {
  #array: Float32Array | Uint16Array | null = null;
  #capacity = 0;
  /** Index of the oldest entry, and how many there are. */
  #head = 0;
  #size = 0;
  /** The newest slot kept: entries are within (newest − length, newest]. */
  #newest = 0;
  readonly #entryLength: number;

  constructor(
    readonly length: number,
    readonly layout: ClosedLayout,
  ) {
    if (length > TAG_MASK) throw new RangeError(`a sparse ring holds at most ${TAG_MASK} slots`);
    this.#entryLength = layout.stride + 1;
  }

  capacity(): number {
    return this.#capacity;
  }

  keep(slot: number, fields: ArrayLike<number>): boolean {
    if (this.#size > 0 && slot <= this.#newest - this.length) return false;
    if (this.#size === 0 || slot > this.#newest) {
      // Entries that left the window make room first (tags read against the newest slot before this one).
      if (slot - this.#newest >= this.length) this.#size = 0;
      while (this.#size > 0 && this.#slotAt(0) <= slot - this.length) {
        this.#head = (this.#head + 1) % this.#capacity;
        this.#size -= 1;
      }
      this.#newest = slot;
      this.#insert(this.#size, slot, fields);
      return true;
    }
    const found = this.#search(slot);
    if (found.exact) this.layout.write(this.#arrayOf(), this.#offset(found.index) + 1, fields);
    else this.#insert(found.index, slot, fields);
    return true;
  }

  read(slot: number, out: Float32Array): void {
    if (this.#size === 0 || slot > this.#newest || slot <= this.#newest - this.length) {
      out[0] = NaN;
      return;
    }
    const found = this.#search(slot);
    if (found.exact) this.layout.read(this.#arrayOf(), this.#offset(found.index) + 1, out);
    else out[0] = NaN;
  }

  #arrayOf(): Float32Array | Uint16Array {
    return this.#array as Float32Array | Uint16Array;
  }

  /** Where the `index`-th entry (0: the oldest) starts in the array. */
  #offset(index: number): number {
    return ((this.#head + index) % this.#capacity) * this.#entryLength;
  }

  /** The full slot number of the `index`-th entry, from its tag and the newest slot. */
  #slotAt(index: number): number {
    const tag = this.#arrayOf()[this.#offset(index)] as number;
    return this.#newest - ((this.#newest - tag) & TAG_MASK);
  }

  /** The first entry at or after `slot` (binary search; entries are in increasing slot order). */
  #search(slot: number): { index: number; exact: boolean } {
    let low = 0;
    let high = this.#size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#slotAt(middle) < slot) low = middle + 1;
      else high = middle;
    }
    return { index: low, exact: low < this.#size && this.#slotAt(low) === slot };
  }

  /** Inserts an entry before the `index`-th, moving the newer ones up one (a late slot is rare; appending moves none). */
  #insert(index: number, slot: number, fields: ArrayLike<number>): void {
    if (this.#size === this.#capacity) this.#grow();
    const array = this.#arrayOf();
    const entry = this.#entryLength;
    for (let i = this.#size; i > index; i -= 1) array.copyWithin(this.#offset(i), this.#offset(i - 1), this.#offset(i - 1) + entry);
    const at = this.#offset(index);
    array[at] = ((slot % (TAG_MASK + 1)) + TAG_MASK + 1) & TAG_MASK;
    this.layout.write(array, at + 1, fields);
    this.#size += 1;
  }

  /** Room for more entries, oldest first from index 0 again. */
  #grow(): void {
    const capacity = this.#capacity === 0 ? Math.min(FIRST_CAPACITY, this.length) : Math.min(this.#capacity * 2, this.length);
    const after = this.layout.create(capacity, 1);
    for (let i = 0; i < this.#size; i += 1) {
      const from = this.#offset(i);
      after.set(this.#arrayOf().subarray(from, from + this.#entryLength), i * this.#entryLength);
    }
    this.#array = after;
    this.#capacity = capacity;
    this.#head = 0;
  }
}
