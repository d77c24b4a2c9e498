import { describe, expect, it } from 'vitest';
import { fleetRecord, isStringRecord, ownValue } from './fleet-record';
import { InstanceSchema } from './instance';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

describe('fleet records', () => {
  it('keeps every key, __proto__ included, as an own property that JSON carries', () => {
    const record = fleetRecord(PROTOTYPE_NAMES.map((name, index) => [name, index] as const));
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(Object.keys(record)).toEqual(PROTOTYPE_NAMES);
    expect(JSON.stringify(record)).toBe('{"__proto__":0,"constructor":1,"toString":2,"hasOwnProperty":3}');
    expect(fleetRecord([])['toString']).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads only own properties of a parsed record', () => {
    const parsed = JSON.parse('{"__proto__":1,"a":2}') as Record<string, number>;
    expect(ownValue(parsed, '__proto__')).toBe(1);
    expect(ownValue(parsed, 'a')).toBe(2);
    expect(ownValue(parsed, 'constructor')).toBeUndefined();
    expect(ownValue(parsed, 'toString')).toBeUndefined();
  });

  it('recognises objects of strings only', () => {
    expect(isStringRecord(JSON.parse('{"__proto__":"x","k":"v"}'))).toBe(true);
    expect(isStringRecord({ k: 1 })).toBe(false);
    expect(isStringRecord(['x'])).toBe(false);
    expect(isStringRecord(null)).toBe(false);
  });

  it('parses an instance without losing prototype-named metadata keys', () => {
    const body = JSON.parse(
      '{"id":"__proto__","service":"constructor","key":"/services/constructor/__proto__","address":"10.0.0.1:1","format":"native","status":"unknown","drain":null,"metadata":{"__proto__":"a","constructor":"b","toString":"c","hasOwnProperty":"d"}}',
    ) as unknown;
    const instance = InstanceSchema.parse(body);
    expect(Object.entries(instance.metadata)).toEqual([['__proto__', 'a'], ['constructor', 'b'], ['toString', 'c'], ['hasOwnProperty', 'd']]);
    expect(InstanceSchema.safeParse({ ...(body as object), metadata: { k: 1 } }).success).toBe(false);
  });
});
