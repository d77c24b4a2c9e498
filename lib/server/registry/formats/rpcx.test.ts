import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { rpcx } from './rpcx';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('rpcx.decode', () => {
  it('leaves a key valued its own address to the tutorial layout, not as a directory', () => {
    expect(rpcx.decode(entry('registry/api/10.0.0.1:80', '10.0.0.1:80', '7'))).toBeNull();
  });

  it('does not take a keyed-by-name value with a leading slash for a directory (libkv drops it)', () => {
    expect(rpcx.decode(entry('/config/feature', 'feature'))).toBeNull();
  });

  it('decodes an instance marked inactive', () => {
    expect(rpcx.decode(entry('/rpcx_test/Arith/tcp@127.0.0.1:8972', 'group=test&state=inactive', '7'))).toEqual([
      {
        service: 'Arith',
        id: 'tcp@127.0.0.1:8972',
        address: '127.0.0.1:8972',
        format: 'rpcx',
        metadata: { network: 'tcp', group: 'test', state: 'inactive' },
        offline: true,
      },
    ]);
  });

  it('decodes an empty value and a key without a leading slash (libkv strips it)', () => {
    expect(rpcx.decode(entry('rpcx_test/Arith/quic@10.0.0.1:8972', ''))).toEqual([
      { service: 'Arith', id: 'quic@10.0.0.1:8972', address: '10.0.0.1:8972', format: 'rpcx', metadata: { network: 'quic' } },
    ]);
  });

  it('names the service by the segment before the instance, with or without a base path', () => {
    expect(rpcx.decode(entry('Arith/tcp@127.0.0.1:8972', ''))?.[0]?.service).toBe('Arith');
    expect(rpcx.decode(entry('com/example/rpcx/Arith/tcp@127.0.0.1:8972', ''))?.[0]?.service).toBe('Arith');
  });

  it('reads the weight parameter', () => {
    expect(rpcx.decode(entry('/rpcx/Arith/tcp@10.0.0.1:1', 'weight=20&tps=100'))?.[0]).toMatchObject({
      weight: 20,
      metadata: { weight: '20', tps: '100' },
    });
  });

  it.each([
    ['the base path directory', '/rpcx_test', 'rpcx_path'],
    ['the service directory', '/rpcx_test/Arith', 'Arith'],
    ['a unix socket', '/rpcx_test/Arith/unix@sock', ''],
    ['no network', '/rpcx_test/Arith/@127.0.0.1:8972', ''],
  ])('rejects %s', (_, key, value) => {
    expect(rpcx.decode(entry(key, value))).toBeNull();
  });
});
