import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { decodeGoMicro } from './go-micro';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

const NODE_ID = 'helloworld-5d3f6b4e-2c1a-4f0e-9b7a-8e2f1c3d4a5b';

/** go-micro v4's etcd registry value for one gRPC node: nil service metadata, endpoint value trees. */
const V4_VALUE =
  String.raw`{"name":"helloworld","version":"latest","metadata":null,"endpoints":[{"name":"Helloworld.Call",` +
  String.raw`"request":{"name":"CallRequest","type":"CallRequest","values":[{"name":"name","type":"string","values":null}]},` +
  String.raw`"response":{"name":"CallResponse","type":"CallResponse","values":[{"name":"msg","type":"string","values":null}]},` +
  String.raw`"metadata":{"stream":"false"}}],"nodes":[{"id":"${NODE_ID}","address":"192.168.1.10:38227",` +
  String.raw`"metadata":{"broker":"http","protocol":"grpc","registry":"etcd","server":"grpc","transport":"grpc"}}]}`;

describe('decodeGoMicro', () => {
  it('decodes a go-micro v4 node', () => {
    expect(decodeGoMicro(entry(`/micro/registry/helloworld/${NODE_ID}`, V4_VALUE, '7'))).toEqual([
      {
        service: 'helloworld',
        id: NODE_ID,
        address: '192.168.1.10:38227',
        format: 'go-micro',
        version: 'latest',
        metadata: { broker: 'http', protocol: 'grpc', registry: 'etcd', server: 'grpc', transport: 'grpc' },
      },
    ]);
  });

  it('gives one registration per usable node, node metadata over service metadata', () => {
    const value = String.raw`{"name":"a","version":"\u003cv1\u003e","metadata":{"env":"prod","tier":"x"},"endpoints":null,"nodes":[
      {"id":"n1","address":"10.0.0.1:1","metadata":{"tier":"y"}},
      {"id":"n2","address":"10.0.0.2:1","metadata":null},
      {"id":"n3","address":"","metadata":null}]}`;
    const registrations = decodeGoMicro(entry('/micro-registry/a/n1', value));
    expect(registrations?.map((r) => [r.id, r.version, r.metadata])).toEqual([
      ['n1', '<v1>', { env: 'prod', tier: 'y' }],
      ['n2', '<v1>', { env: 'prod', tier: 'x' }],
    ]);
  });

  it.each([
    ['null nodes', '{"name":"a","nodes":null}'],
    ['no usable node', '{"name":"a","nodes":[{"id":"n","address":"nowhere","metadata":null}]}'],
    ['a node of the wrong shape', '{"name":"a","nodes":[{"id":1,"address":"10.0.0.1:1"}]}'],
    ['nodes as an object', '{"name":"a","nodes":{"id":"n","address":"10.0.0.1:1"}}'],
  ])('rejects %s', (_, value) => {
    expect(decodeGoMicro(entry('/micro/registry/a/n', value))).toBeNull();
  });

  it('ignores other prefixes', () => {
    expect(decodeGoMicro(entry(`/micro/config/helloworld/${NODE_ID}`, V4_VALUE))).toBeNull();
  });
});
