import { describe, expect, it } from 'vitest';
import { compareNatural } from './natural-order';

const sorted = (names: string[]): string[] => [...names].sort(compareNatural);

describe('compareNatural', () => {
  it('orders runs of digits as numbers', () => {
    expect(sorted(['orders-01-10', 'orders-01-2', 'orders-01-1'])).toEqual(['orders-01-1', 'orders-01-2', 'orders-01-10']);
    expect(sorted(['10.0.0.10:80', '10.0.0.9:8080', '10.0.0.9:80'])).toEqual(['10.0.0.9:80', '10.0.0.9:8080', '10.0.0.10:80']);
    expect(sorted(['b', 'a10', 'a9', 'a'])).toEqual(['a', 'a9', 'a10', 'b']);
  });

  it('is a total order: numbers equal but for leading zeros still compare, and only identical names tie', () => {
    expect(compareNatural('a01', 'a1')).not.toBe(0);
    expect(Math.sign(compareNatural('a01', 'a1')) + Math.sign(compareNatural('a1', 'a01'))).toBe(0);
    expect(compareNatural('x-7', 'x-7')).toBe(0);
  });

  it('keeps digits against other characters where code-unit order puts them', () => {
    // '-' (45) sorts before digits, ':' (58) and letters after: whatever the number's value.
    expect(sorted(['a:', 'a99', 'a-', 'a1'])).toEqual(['a-', 'a1', 'a99', 'a:']);
  });

  it('agrees with itself over many names (antisymmetric and transitive)', () => {
    const names = ['a', 'a0', 'a00', 'a1', 'a01', 'a-1', 'a:1', 'a10', 'a9b', 'a9', '9', '10', '010', 'b', '', 'a1b2', 'a1b10', 'a01b2'];
    for (const x of names) {
      for (const y of names) {
        expect(Math.sign(compareNatural(x, y)) + Math.sign(compareNatural(y, x))).toBe(0);
        for (const z of names) {
          if (compareNatural(x, y) < 0 && compareNatural(y, z) < 0) expect(compareNatural(x, z)).toBeLessThan(0);
        }
      }
    }
  });
});
