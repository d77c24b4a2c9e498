/**
 * Brings a map over `cap` back to a hundredth under it, oldest (first inserted) entries first. One
 * walk for many: a Map reaches its first entry by passing every entry deleted since it last
 * compacted, tens of µs in a big, busy one — too dear to pay for every entry added at the cap.
 */
export function dropOldest<K>(map: Map<K, unknown>, cap: number): void {
  if (map.size <= cap) return;
  const keep = cap - Math.floor(cap / 100);
  for (const key of map.keys()) {
    if (map.size <= keep) break;
    map.delete(key);
  }
}

/**
 * Moves a recently used entry to the newest end of `map`'s insertion order, at most every
 * `everyMs`: a move is a delete and an insert, the dearest part of a busy entry's use, so the
 * order stays least recently used first to within `everyMs`. The entry keeps when it last moved.
 */
export function moveToNewest<K, V extends { movedAt: number }>(map: Map<K, V>, key: K, entry: V, now: number, everyMs: number): void {
  if (now - entry.movedAt < everyMs) return;
  map.delete(key);
  map.set(key, entry);
  entry.movedAt = now;
}

/**
 * A `Map` that holds at most `maxSize` entries: setting a key makes it the newest, and the oldest
 * entries go once there are more. For facts kept about things named by the fleet or by clients
 * (leases, reporters), whose number we do not choose.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #maxSize: number;

  constructor(maxSize: number) {
    super();
    if (!(Number.isInteger(maxSize) && maxSize > 0)) throw new RangeError(`maxSize must be a positive integer, not ${maxSize}`);
    this.#maxSize = maxSize;
  }

  override set(key: K, value: V): this {
    // Deleted first, so a key set again moves to the newest end of the insertion order.
    super.delete(key);
    super.set(key, value);
    dropOldest(this, this.#maxSize);
    return this;
  }
}
