import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { grpcGo } from './grpc-go';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('grpcGo.decode', () => {
  it('decodes what the etcd endpoints manager writes, naming the service by the target\'s last segment', () => {
    expect(grpcGo.decode(entry('foo/bar/my-service/10.0.0.1:50051', '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":null}', '7'))).toEqual([
      { service: 'my-service', id: '10.0.0.1:50051', address: '10.0.0.1:50051', format: 'grpc-go', metadata: {} },
    ]);
  });

  it('strips one leading slash from the target', () => {
    expect(grpcGo.decode(entry('/greeter/10.0.0.1:50051', '{"Addr":"10.0.0.1:50051","Metadata":{"weight":3}}'))?.[0]).toMatchObject({
      service: 'greeter',
      metadata: { weight: '3' },
    });
  });

  it('accepts lower-case field names and scalar metadata', () => {
    expect(grpcGo.decode(entry('greeter/a', '{"op":0,"addr":"10.0.0.2:50051","metadata":"canary"}'))?.[0]).toMatchObject({
      address: '10.0.0.2:50051',
      metadata: { metadata: 'canary' },
    });
  });

  it('keeps an Op 1 (delete) value as an offline instance', () => {
    expect(grpcGo.decode(entry('greeter/10.0.0.1:50051', '{"Op":1,"Addr":"10.0.0.1:50051","Metadata":null}'))?.[0]?.offline).toBe(true);
  });

  it.each([
    ['no address', '{"Op":0,"Metadata":null}'],
    ['a resolver target as address', '{"Addr":"dns:///greeter:50051"}'],
    ['a numeric address', '{"Addr":50051}'],
    ['a string op', '{"Op":"add","Addr":"10.0.0.1:50051"}'],
  ])('rejects %s', (_, value) => {
    expect(grpcGo.decode(entry('greeter/x', value))).toBeNull();
  });
});
