import { describe, expect, it } from 'vitest';
import { decodeMinutes, encodeMinutes, RECORD_BYTES } from './minute-codec';

describe('minute codec', () => {
  it('packs 24 bytes a slot and reads back the same 32-bit floats, NaN (no latency) included', () => {
    const fields = Float32Array.from([1 / 3, 0, Number.NaN, Number.NaN, Number.NaN, 1e9, 12.5, 0.0005, 3_600_000, 49.6]);
    const body = encodeMinutes([7, 0xffff_ffff], fields);
    expect(body.byteLength).toBe(2 * RECORD_BYTES);
    const read: Array<[number, number[]]> = [];
    decodeMinutes(body, (id, values) => read.push([id, Array.from(values)]));
    expect(read).toEqual([
      [7, Array.from(fields.subarray(0, 5))],
      [0xffff_ffff, Array.from(fields.subarray(5, 10))],
    ]);
  });

  it('ignores a trailing partial record', () => {
    const body = encodeMinutes([1], Float32Array.from([1, 0, 2, 3, 4]));
    const ids: number[] = [];
    decodeMinutes(body.subarray(0, RECORD_BYTES - 1), (id) => ids.push(id));
    expect(ids).toEqual([]);
  });
});
