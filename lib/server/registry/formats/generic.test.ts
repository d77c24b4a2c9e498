import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { decodeGeneric } from './generic';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('decodeGeneric', () => {
  it.each([
    ['a host:port value', '10.0.0.9:8080\n'],
    ['a URL value', 'http://10.0.0.9:8080/'],
  ])('decodes a leased key with %s', (_, value) => {
    expect(decodeGeneric(entry('/discovery/payments/pay-1', value, '99'))).toEqual([
      { service: 'payments', id: 'pay-1', address: '10.0.0.9:8080', format: 'generic', metadata: {} },
    ]);
  });

  it('falls back to an address in the last segment', () => {
    expect(decodeGeneric(entry('/lb/payments/10.0.0.9:8080', '{"anything":true}', '99'))?.[0]).toMatchObject({
      service: 'payments',
      address: '10.0.0.9:8080',
    });
  });

  it.each([
    ['an unleased key', '/discovery/payments/pay-1', '10.0.0.9:8080', undefined],
    ['a value that is no address', '/discovery/payments/pay-1', 'up', '99'],
    ['a key without a parent', 'pay-1', '10.0.0.9:8080', '99'],
  ])('rejects %s', (_, key, value, lease) => {
    expect(decodeGeneric(entry(key, value, lease))).toBeNull();
  });
});
