import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { decodeRpcx } from './rpcx';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

describe('decodeRpcx', () => {
  it('decodes an instance marked inactive', () => {
    expect(decodeRpcx(entry('/rpcx_test/Arith/tcp@127.0.0.1:8972', 'group=test&state=inactive', '7'))).toEqual([
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
    expect(decodeRpcx(entry('rpcx_test/Arith/quic@10.0.0.1:8972', ''))).toEqual([
      { service: 'Arith', id: 'quic@10.0.0.1:8972', address: '10.0.0.1:8972', format: 'rpcx', metadata: { network: 'quic' } },
    ]);
  });

  it('reads the weight parameter', () => {
    expect(decodeRpcx(entry('/rpcx/Arith/tcp@10.0.0.1:1', 'weight=20&tps=100'))?.[0]).toMatchObject({
      weight: 20,
      metadata: { weight: '20', tps: '100' },
    });
  });

  it.each([
    ['the base path directory', '/rpcx_test', 'rpcx_path'],
    ['the service directory', '/rpcx_test/Arith', 'Arith'],
    ['an instance without a base path', 'Arith/tcp@127.0.0.1:8972', ''],
    ['a unix socket', '/rpcx_test/Arith/unix@sock', ''],
    ['no network', '/rpcx_test/Arith/@127.0.0.1:8972', ''],
  ])('rejects %s', (_, key, value) => {
    expect(decodeRpcx(entry(key, value))).toBeNull();
  });
});
