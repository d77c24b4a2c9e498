import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { goFrame } from './goframe';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('goFrame.decode', () => {
  it('names the service by the name segment, not the version after it', () => {
    expect(goFrame.decode(entry('/service/default/default/user-api/latest/192.168.1.10:8000', '{"insecure":true,"protocol":"http"}', '7'))).toEqual([
      {
        service: 'user-api',
        id: '192.168.1.10:8000',
        address: '192.168.1.10:8000',
        format: 'goframe',
        version: 'latest',
        metadata: { insecure: 'true', protocol: 'http', deployment: 'default', namespace: 'default', endpoints: '192.168.1.10:8000' },
      },
    ]);
  });

  it('reads several endpoints as one instance at the first', () => {
    expect(goFrame.decode(entry('/service/prod/shop/cart/v2/10.0.0.1:80,10.0.0.2:80', '{"protocol":"grpc","weight":5}'))?.[0]).toMatchObject({
      service: 'cart',
      id: '10.0.0.1:80,10.0.0.2:80',
      address: '10.0.0.1:80',
      version: 'v2',
      weight: 5,
      metadata: { deployment: 'prod', namespace: 'shop' },
    });
  });

  it('drops prototype-reaching metadata keys', () => {
    const metadata = goFrame.decode(entry('/service/default/default/a/latest/10.0.0.1:80', '{"__proto__":{"polluted":1},"ok":"1"}'))?.[0]?.metadata;
    expect(metadata?.ok).toBe('1');
    expect(Object.hasOwn(metadata ?? {}, '__proto__')).toBe(false);
  });

  it.each([
    ['five segments', '/service/default/default/a/10.0.0.1:80', '{}'],
    ['a non-address endpoint', '/service/default/default/a/latest/10.0.0.1', '{}'],
    ['one bad endpoint among good ones', '/service/default/default/a/latest/10.0.0.1:80,x', '{}'],
    ['an empty value', '/service/default/default/a/latest/10.0.0.1:80', ''],
    ['a plain address value', '/service/default/default/a/latest/10.0.0.1:80', '10.0.0.1:80'],
    ['no leading slash', 'service/default/default/a/latest/10.0.0.1:80', '{}'],
  ])('rejects %s', (_, key, value) => {
    expect(goFrame.decode(entry(key, value))).toBeNull();
  });
});
