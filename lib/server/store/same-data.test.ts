import { describe, expect, it } from 'vitest';
import { sameData } from './same-data';

describe('sameData', () => {
  it('compares registrations field by field, whatever the key order', () => {
    const a = { service: 's', id: 'i', metadata: { zone: 'a', v: '1' }, dependsOn: ['x', 'y'], health: { http: '/h' } };
    expect(sameData(a, { health: { http: '/h' }, dependsOn: ['x', 'y'], metadata: { v: '1', zone: 'a' }, id: 'i', service: 's' })).toBe(true);
    expect(sameData(a, { ...a, metadata: { zone: 'a', v: '2' } })).toBe(false);
    expect(sameData(a, { ...a, dependsOn: ['y', 'x'] })).toBe(false);
    expect(sameData(a, { ...a, weight: 1 })).toBe(false);
    expect(sameData({ a: undefined }, { b: undefined })).toBe(false);
    expect(sameData([], {})).toBe(false);
  });
});
