import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { generic } from './generic';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('generic.decode', () => {
  it.each([
    ['a host:port value', '10.0.0.9:8080\n'],
    ['a URL value', 'http://10.0.0.9:8080/'],
  ])('decodes a leased key with %s', (_, value) => {
    expect(generic.decode(entry('/discovery/payments/pay-1', value, '99'))).toEqual([
      { service: 'payments', id: 'pay-1', address: '10.0.0.9:8080', format: 'generic', metadata: {} },
    ]);
  });

  it.each([
    ['a one-segment key', '/my-service', 'my-service'],
    ['a one-segment key without a slash', 'my-service', 'my-service'],
    ['a two-segment key', '/api/users', 'users'],
  ])('reads %s as naming the service, with the address as id', (_, key, service) => {
    expect(generic.decode(entry(key, 'http://localhost:8080', '99'))).toEqual([
      { service, id: 'localhost:8080', address: 'localhost:8080', format: 'generic', metadata: {} },
    ]);
  });

  it.each([
    ['a number', '/payments/3', 'payments', '3'],
    ['a third segment', '/discovery/payments/pay-1', 'payments', 'pay-1'],
  ])('reads a key ending in %s as ending in the instance', (_, key, service, id) => {
    expect(generic.decode(entry(key, '10.0.0.9:8080', '99'))?.[0]).toMatchObject({ service, id });
  });

  it('accepts an unleased key only when told to trust unleased keys', () => {
    expect(generic.decode(entry('/my-service', 'http://localhost:8080'))).toBeNull();
    expect(generic.decode(entry('/my-service', 'http://localhost:8080'), { trustUnleased: true })?.[0]?.service).toBe('my-service');
  });

  it('falls back to an address in the last segment', () => {
    expect(generic.decode(entry('/lb/payments/10.0.0.9:8080', '{"anything":true}', '99'))?.[0]).toMatchObject({
      service: 'payments',
      address: '10.0.0.9:8080',
    });
  });

  it.each([
    ['an unleased key', '/discovery/payments/pay-1', '10.0.0.9:8080', undefined],
    ['a value that is no address', '/discovery/payments/pay-1', 'up', '99'],
    ['an empty last segment', '/discovery/payments/', '10.0.0.9:8080', '99'],
  ])('rejects %s', (_, key, value, lease) => {
    expect(generic.decode(entry(key, value, lease))).toBeNull();
  });
});
