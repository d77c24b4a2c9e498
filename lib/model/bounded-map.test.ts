import { describe, expect, it } from 'vitest';
import { BoundedMap, moveToNewest } from './bounded-map';

describe('BoundedMap', () => {
  it('drops the oldest entries past its size', () => {
    const map = new BoundedMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, i);
    expect([...map]).toEqual([
      ['c', 2],
      ['d', 3],
      ['e', 4],
    ]);
  });

  it('makes a key set again the newest, so it outlives keys set after it first', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });

  it('makes room for a hundredth of a big map at once when full, oldest first', () => {
    const map = new BoundedMap<number, number>(1_000);
    for (let i = 0; i < 1_001; i += 1) map.set(i, i);
    expect(map.size).toBe(990);
    expect(map.has(10)).toBe(false);
    expect(map.has(11)).toBe(true);
  });

  it('keeps fleet names such as __proto__ as ordinary keys', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('__proto__', 1);
    expect(map.get('__proto__')).toBe(1);
    expect(map.size).toBe(1);
  });

  it('refuses a size that bounds nothing', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(Number.NaN)).toThrow(RangeError);
  });
});

describe('moveToNewest', () => {
  it('moves an entry to the newest end only once `everyMs` has passed since its last move', () => {
    const a = { movedAt: 0 };
    const map = new Map([['a', a], ['b', { movedAt: 0 }]]);
    moveToNewest(map, 'a', a, 999, 1_000);
    expect([...map.keys()]).toEqual(['a', 'b']);
    moveToNewest(map, 'a', a, 1_000, 1_000);
    expect([...map.keys()]).toEqual(['b', 'a']);
    expect(a.movedAt).toBe(1_000);
  });
});
