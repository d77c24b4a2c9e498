import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { kratos } from './kratos';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

const KEY = '/microservices/helloworld/4b1c8a52-36f1-11ef-9d2c-0242ac120002';

describe('kratos.decode', () => {
  it('decodes a kratos etcd registration', () => {
    const value =
      '{"id":"4b1c8a52-36f1-11ef-9d2c-0242ac120002","name":"helloworld","version":"v1.0.0",' +
      String.raw`"metadata":{"region":"sh","note":"a\u003cb\u0026c"},` +
      '"endpoints":["http://192.168.1.10:8000?isSecure=false","grpc://192.168.1.10:9000?isSecure=false"]}';
    expect(kratos.decode(entry(KEY, value, '694d8b5a3f1c2e07'))).toEqual([
      {
        service: 'helloworld',
        id: '4b1c8a52-36f1-11ef-9d2c-0242ac120002',
        address: '192.168.1.10:8000',
        format: 'kratos',
        version: 'v1.0.0',
        metadata: {
          region: 'sh',
          note: 'a<b&c',
          endpoints: 'http://192.168.1.10:8000?isSecure=false,grpc://192.168.1.10:9000?isSecure=false',
        },
      },
    ]);
  });

  it('takes the first endpoint that parses, and the key id when the value has none', () => {
    const value = '{"id":"","name":"helloworld","version":"","metadata":null,"endpoints":["unix:///tmp/s","grpc://10.0.0.1:9000"]}';
    expect(kratos.decode(entry(KEY, value))?.[0]).toMatchObject({
      id: '4b1c8a52-36f1-11ef-9d2c-0242ac120002',
      address: '10.0.0.1:9000',
      metadata: { endpoints: 'unix:///tmp/s,grpc://10.0.0.1:9000' },
    });
  });

  it.each([
    ['null endpoints', '{"id":"x","endpoints":null}'],
    ['no usable endpoint', '{"id":"x","endpoints":["10.0.0.1:9000"]}'],
    ['endpoints of the wrong type', '{"id":"x","endpoints":[{"url":"grpc://10.0.0.1:9000"}]}'],
    ['a number', '42'],
  ])('rejects %s', (_, value) => {
    expect(kratos.decode(entry(KEY, value))).toBeNull();
  });

  it('reads a registration under etcd.Namespace("/my-ns") when the value names the same service and id', () => {
    const value = '{"id":"i1","name":"helloworld","version":"v1","metadata":null,"endpoints":["grpc://10.0.0.1:9000"]}';
    expect(kratos.decode(entry('/my-ns/helloworld/i1', value))?.[0]).toMatchObject({
      service: 'helloworld',
      id: 'i1',
      address: '10.0.0.1:9000',
      metadata: { namespace: '/my-ns' },
    });
    expect(kratos.decode(entry('/team/a/ns/helloworld/i1', value))?.[0]?.metadata.namespace).toBe('/team/a/ns');
    expect(kratos.decode(entry('/my-ns/other/i1', value))).toBeNull();
    expect(kratos.decode(entry('/my-ns/helloworld/i2', value))).toBeNull();
  });

  it('ignores other namespaces when the value does not name the key', () => {
    expect(kratos.decode(entry('/kratos/helloworld/x', '{"endpoints":["grpc://10.0.0.1:9000"]}'))).toBeNull();
  });
});
