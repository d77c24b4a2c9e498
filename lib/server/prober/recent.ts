/** The last `capacity` numbers seen: a fixed ring, so a long run costs no more memory than a short one. */
export interface Recent {
  add(value: number): void;
  values(): number[];
}

export function createRecent(capacity: number): Recent {
  const ring = new Float64Array(capacity);
  let count = 0;
  return {
    add(value) {
      ring[count % capacity] = value;
      count += 1;
    },
    values: () => Array.from(ring.subarray(0, Math.min(count, capacity))),
  };
}

/** Nearest-rank p99 and the max of a sample (sorted in place); 0 for an empty one. */
export function tail(values: number[]): { p99: number; max: number } {
  if (values.length === 0) return { p99: 0, max: 0 };
  values.sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(0.99 * values.length));
  return { p99: values[rank - 1] ?? 0, max: values[values.length - 1] ?? 0 };
}
