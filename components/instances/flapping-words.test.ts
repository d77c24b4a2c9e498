import { describe, expect, it } from 'vitest';
import { flappingClauses } from './flapping-words';

const T0 = Date.parse('2026-12-07T07:30:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1_000).toISOString();

describe('flappingClauses (a service page\u2019s flapping note)', () => {
  it('names each flapping instance with how many changes into and out of critical in how long, up to now', () => {
    const instances = [
      { id: 'api-gateway-1', criticalChanges: [at(12), at(27), at(42), at(57)] },
      { id: 'api-gateway-2', criticalChanges: [at(100)] },
      { id: 'api-gateway-3' },
    ];
    expect(flappingClauses(instances, T0 + 120_000)).toEqual(['api-gateway-1: 4 changes into and out of critical in 1 min 48 s']);
  });

  it('says none once the changes are older than the window, and a floor past the kept ones', () => {
    expect(flappingClauses([{ id: 'a', criticalChanges: [at(0), at(15), at(30)] }], T0 + 3_600_000)).toEqual([]);
    const many = Array.from({ length: 64 }, (_, i) => at(i));
    expect(flappingClauses([{ id: 'a', criticalChanges: many }], T0 + 64_000)).toEqual(['a: 64 or more changes into and out of critical in 1 min 4 s']);
  });
});
