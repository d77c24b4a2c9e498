import { describe, expect, it } from 'vitest';
import type { Status } from '@/lib/model/instance';
import { FLAP_NAMED, flappingNote } from './flapping-words';

const T0 = Date.parse('2026-12-07T07:30:00.000Z');
const at = (seconds: number): number => T0 + seconds * 1_000;
const instance = (id: string, status: Status, criticalChangesMs?: number[]) => ({ id, status, ...(criticalChangesMs ? { criticalChangesMs } : {}) });

describe('flappingNote (a service page\u2019s flapping note)', () => {
  it('names each flapping instance with how many changes into and out of critical in how long, and says a failing one has not held', () => {
    const instances = [instance('api-gateway-1', 'critical', [at(12), at(27), at(42), at(57)]), instance('api-gateway-2', 'passing', [at(100)]), instance('api-gateway-3', 'passing')];
    expect(flappingNote(instances, at(120))).toBe('api-gateway-1: 4 changes into and out of critical in 1 min 48 s. Its recoveries have not held.');
  });

  it('says how long an instance passing again has held since its last change, not that it has not held', () => {
    expect(flappingNote([instance('a', 'passing', [at(0), at(15), at(30)])], at(270))).toBe('a: 3 changes into and out of critical in 4 min 30 s. Passing again for 4 min since its last change; flapping for 5 min 30 s more if it holds.');
  });

  it('says none once the changes are older than the window, and a floor past the kept ones', () => {
    expect(flappingNote([instance('a', 'passing', [at(0), at(15), at(30)])], T0 + 3_600_000)).toBeNull();
    const many = Array.from({ length: 16 }, (_, i) => at(i));
    expect(flappingNote([instance('a', 'critical', many)], at(64))).toBe('a: 16 or more changes into and out of critical in 1 min 4 s. Its recoveries have not held.');
  });

  it(`names at most ${FLAP_NAMED} flapping instances and counts the rest, however many flap`, () => {
    const changes = [at(0), at(15), at(30)];
    const note = flappingNote(Array.from({ length: 500 }, (_, i) => instance(`api-gateway-${i}`, 'critical', changes)), at(40));
    expect(note).toBe(
      'api-gateway-0: 3 changes into and out of critical in 40 s; api-gateway-1: 3 changes into and out of critical in 40 s; api-gateway-2: 3 changes into and out of critical in 40 s; and 497 more instances. Their recoveries have not held.',
    );
  });
  it('says a recovery of under a second is just now, not "0 ms"', () => {
    expect(flappingNote([instance('a', 'passing', [at(0), at(15), at(30)])], at(30))).toBe('a: 3 changes into and out of critical in 30 s. Passing again just now; flapping for 9 min 30 s more if it holds.');
    expect(flappingNote([instance('a', 'passing', [at(0), at(15), at(30)])], at(30) + 1_500)).toBe('a: 3 changes into and out of critical in 31 s. Passing again for 1 s since its last change; flapping for 9 min 28 s more if it holds.');
  });

  it('says which recoveries have not held when only some flapping instances fail again, named even when the list counts them', () => {
    const changes = [at(0), at(15), at(30)];
    const fleet = Array.from({ length: 500 }, (_, i) => instance(`api-gateway-${i}`, i === 499 ? 'critical' : 'passing', changes));
    expect(flappingNote(fleet, at(40))).toBe(
      'api-gateway-0: 3 changes into and out of critical in 40 s; api-gateway-1: 3 changes into and out of critical in 40 s; api-gateway-2: 3 changes into and out of critical in 40 s; and 497 more instances. The recoveries of api-gateway-499 have not held; the others pass again.',
    );
    const some = [instance('a', 'critical', changes), instance('b', 'passing', changes), instance('c', 'warning', changes), instance('d', 'critical', changes), instance('e', 'critical', changes), instance('f', 'critical', changes)];
    expect(flappingNote(some, at(40))).toMatch(/\. The recoveries of a, c, d and 2 more have not held; the other passes again\.$/);
  });
});
