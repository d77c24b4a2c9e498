import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { native } from './native';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('native.decode', () => {
  it('decodes every declared field', () => {
    const value =
      '{"address":"10.0.0.3:8080","version":"1.4.2","zone":"eu-1","weight":5,"metadata":{"team":"core"},' +
      '"health":{"http":"/healthz","grpc":true},"dependsOn":["users","billing"]}';
    expect(native.decode(entry('/services/orders/orders-1', value, '42'))).toEqual([
      {
        service: 'orders',
        id: 'orders-1',
        address: '10.0.0.3:8080',
        format: 'native',
        version: '1.4.2',
        zone: 'eu-1',
        weight: 5,
        metadata: { team: 'core' },
        health: { http: '/healthz', grpc: true },
        dependsOn: ['users', 'billing'],
      },
    ]);
  });

  it('accepts the nulls and empty strings a Go writer leaves, plus a trailing newline', () => {
    const value = '{"address":"10.0.0.3:8080","version":"","zone":"","metadata":null,"health":null,"dependsOn":null}\n';
    expect(native.decode(entry('/services/orders/o1', value))).toEqual([
      { service: 'orders', id: 'o1', address: '10.0.0.3:8080', format: 'native', metadata: {} },
    ]);
  });

  it('keeps only a path as the HTTP health check', () => {
    const value = '{"address":"10.0.0.3:8080","health":{"http":"@evil.example/","grpc":true}}';
    expect(native.decode(entry('/services/a/b', value))?.[0]?.health).toEqual({ grpc: true });
  });

  it('drops invalid dependency names', () => {
    const value = `{"address":"10.0.0.3:8080","dependsOn":["","users","${'x'.repeat(300)}"]}`;
    expect(native.decode(entry('/services/a/b', value))?.[0]?.dependsOn).toEqual(['users']);
  });

  it.each([
    ['no address', '{"version":"1"}'],
    ['a numeric address', '{"address":8080}'],
    ['an address without a port', '{"address":"10.0.0.3"}'],
    ['a wrongly typed field', '{"address":"10.0.0.3:8080","version":5}'],
    ['wrongly typed health', '{"address":"10.0.0.3:8080","health":{"grpc":"yes"}}'],
    ['an array', '[{"address":"10.0.0.3:8080"}]'],
    ['dubbo-go app JSON', '{"ServiceName":"app","Host":"10.0.0.5","Port":20000}'],
    ['an empty value', ''],
  ])('rejects %s', (_, value) => {
    expect(native.decode(entry('/services/a/b', value))).toBeNull();
  });

  it.each(['/services/a', '/services/a/b/c', 'services/a/b', '/other/a/b'])('rejects the key %s', (key) => {
    expect(native.decode(entry(key, '{"address":"10.0.0.3:8080"}'))).toBeNull();
  });
});
