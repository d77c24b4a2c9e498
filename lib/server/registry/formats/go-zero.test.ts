import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { goZero } from './go-zero';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('goZero.decode', () => {
  it('decodes a key ending in its own lease id', () => {
    expect(goZero.decode(entry('user.rpc/7587874236439215621', '10.0.0.2:8080', '7587874236439215621'))).toEqual([
      { service: 'user.rpc', id: '7587874236439215621', address: '10.0.0.2:8080', format: 'go-zero', metadata: {} },
    ]);
  });

  it('names the service by the last segment of Etcd.Key, and accepts a short lease id when it matches the lease', () => {
    expect(goZero.decode(entry('/rpc/user/42', '10.0.0.2:8080\n', '42'))?.[0]).toMatchObject({ service: 'user', id: '42' });
  });

  it('accepts a long decimal segment without lease facts', () => {
    expect(goZero.decode(entry('user.rpc/7587874236439215621', '10.0.0.2:8080'))?.[0]?.service).toBe('user.rpc');
  });

  it.each([
    ['a short number that is not the lease', 'user.rpc/42', '10.0.0.2:8080', '43'],
    ['a value that is not an address', 'user.rpc/7587874236439215621', 'hello', undefined],
    ['a JSON value', 'user.rpc/7587874236439215621', '{"addr":"10.0.0.2:8080"}', undefined],
    ['a non-decimal id', 'user.rpc/abc', '10.0.0.2:8080', 'abc'],
  ])('rejects %s', (_, key, value, lease) => {
    expect(goZero.decode(entry(key, value, lease))).toBeNull();
  });
});
