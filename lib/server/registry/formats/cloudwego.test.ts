import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { hertz } from './hertz';
import { kitex } from './kitex';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('kitex and hertz', () => {
  it('decodes a kitex registration with nil tags', () => {
    const value = '{"network":"tcp","address":"127.0.0.1:8888","weight":10,"tags":null}';
    expect(kitex.decode(entry('kitex/registry-etcd/echo/127.0.0.1:8888', value, '7'))).toEqual([
      { service: 'echo', id: '127.0.0.1:8888', address: '127.0.0.1:8888', format: 'kitex', weight: 10, metadata: {} },
    ]);
  });

  it('decodes a hertz registration with its keys in another order', () => {
    const value = '{"tags":{"env":"prod","idc":"hl"},"weight":10,"address":"10.0.0.7:8080","network":"tcp"}';
    expect(hertz.decode(entry('hertz/registry-etcd/hello.api/10.0.0.7:8080', value))).toEqual([
      {
        service: 'hello.api',
        id: '10.0.0.7:8080',
        address: '10.0.0.7:8080',
        format: 'hertz',
        weight: 10,
        metadata: { env: 'prod', idc: 'hl' },
      },
    ]);
  });

  it('accepts a leading slash', () => {
    const value = '{"network":"tcp","address":"[::1]:8888","weight":0,"tags":null}';
    expect(kitex.decode(entry('/kitex/registry-etcd/echo/[::1]:8888', value))?.[0]?.address).toBe('[::1]:8888');
  });

  it.each([
    ['a unix socket', '{"network":"unix","address":"/tmp/echo.sock","weight":10,"tags":null}'],
    ['a string weight', '{"network":"tcp","address":"127.0.0.1:8888","weight":"10","tags":null}'],
    ['no address', '{"network":"tcp","weight":10}'],
  ])('rejects %s', (_, value) => {
    expect(kitex.decode(entry('kitex/registry-etcd/echo/x', value))).toBeNull();
  });

  it('ignores other prefixes', () => {
    const value = '{"network":"tcp","address":"127.0.0.1:8888","weight":10,"tags":null}';
    expect(kitex.decode(entry('kitex/registry-nacos/echo/127.0.0.1:8888', value))).toBeNull();
  });
});
