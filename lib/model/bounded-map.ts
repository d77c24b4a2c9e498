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
    for (const oldest of this.keys()) {
      if (this.size <= this.#maxSize) break;
      super.delete(oldest);
    }
    return this;
  }
}
