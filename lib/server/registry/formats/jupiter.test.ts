import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { jupiter } from './jupiter';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

const INFO = '{"name":"hello","scheme":"grpc","address":"10.0.0.1:9091","weight":50,"enable":true,"healthy":true,"metadata":{"appVersion":"1.2.0"},"region":"eu","zone":"eu-1a","kind":1}';

describe('jupiter.decode', () => {
  it('decodes a provider key of v0.2–v0.9', () => {
    expect(jupiter.decode(entry('/jupiter/hello/providers/grpc://10.0.0.1:9091', INFO, '7'))).toEqual([
      {
        service: 'hello',
        id: 'grpc://10.0.0.1:9091',
        address: '10.0.0.1:9091',
        format: 'jupiter',
        version: '1.2.0',
        zone: 'eu-1a',
        weight: 50,
        metadata: { appVersion: '1.2.0', scheme: 'grpc', region: 'eu' },
      },
    ]);
  });

  it('accepts a query after the address and any registry prefix', () => {
    expect(jupiter.decode(entry('/wsd-reg/hello/providers/http://10.0.0.1:9091?weight=1', INFO))?.[0]).toMatchObject({ service: 'hello' });
  });

  it('decodes the v0.10+ RegistryName key with a naming update', () => {
    const value = `{"Op":0,"Addr":"10.0.0.2:9092","MetadataX":${INFO.replace('10.0.0.1:9091', '10.0.0.2:9092')}}`;
    expect(jupiter.decode(entry('grpc:hello:v1:dev/10.0.0.2:9092', value))?.[0]).toMatchObject({
      service: 'hello',
      id: 'grpc://10.0.0.2:9092',
      address: '10.0.0.2:9092',
    });
  });

  it.each([
    ['disabled', '/jupiter/a/providers/grpc://10.0.0.1:1', '{"address":"10.0.0.1:1","enable":false,"healthy":true}'],
    ['unhealthy', '/jupiter/a/providers/grpc://10.0.0.1:1', '{"address":"10.0.0.1:1","enable":true,"healthy":false}'],
    ['deleted by a naming update', 'grpc:a:v1:dev/10.0.0.1:1', '{"Op":1,"Addr":"10.0.0.1:1","MetadataX":null}'],
  ])('marks a %s provider offline', (_, key, value) => {
    expect(jupiter.decode(entry(key, value))?.[0]?.offline).toBe(true);
  });

  it.each([
    ['a consumer', '/jupiter/hello/consumers/grpc://10.0.0.1:9091', INFO],
    ['a value that is not JSON', '/jupiter/hello/providers/grpc://10.0.0.1:9091', 'up'],
    ['a naming update without an address', 'grpc:hello:v1:dev/x', '{"Op":0,"Addr":"","MetadataX":null}'],
  ])('rejects %s', (_, key, value) => {
    expect(jupiter.decode(entry(key, value))).toBeNull();
  });
});
