import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { plain } from './plain';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('plain.decode', () => {
  it.each([
    ['an empty value', '/myapp/services/orders/10.0.0.4:9000', ''],
    ['the address as value', '/myapp/services/orders/10.0.0.4:9000', '10.0.0.4:9000\n'],
    ['a single prefix segment', 'svc/orders/10.0.0.4:9000', ''],
    ['no prefix', '/orders/10.0.0.4:9000', ''],
  ])('decodes %s', (_, key, value) => {
    expect(plain.decode(entry(key, value, '5'))).toEqual([
      { service: 'orders', id: '10.0.0.4:9000', address: '10.0.0.4:9000', format: 'plain', metadata: {} },
    ]);
  });

  it('accepts an IPv6 address', () => {
    expect(plain.decode(entry('/svc/orders/[fd00::4]:9000', ''))?.[0]?.address).toBe('[fd00::4]:9000');
  });

  it.each([
    ['a different address as value', '/svc/orders/10.0.0.4:9000', '10.0.0.5:9000'],
    ['a JSON value', '/svc/orders/10.0.0.4:9000', '{"weight":1}'],
    ['port 0', '/svc/orders/10.0.0.4:0', ''],
    ['a name, not an address', '/svc/orders/orders-1', ''],
    ['an empty service segment', '/svc//10.0.0.4:9000', ''],
  ])('rejects %s', (_, key, value) => {
    expect(plain.decode(entry(key, value))).toBeNull();
  });
});
