import { describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { goMicro } from './go-micro';

const entry = (key: string, value: string, lease?: string): RawEntry => ({ key, value: Buffer.from(value), lease });

const NODE_ID = 'helloworld-5d3f6b4e-2c1a-4f0e-9b7a-8e2f1c3d4a5b';

/** go-micro v4's etcd registry value for one gRPC node: nil service metadata, endpoint value trees. */
const V4_VALUE =
  String.raw`{"name":"helloworld","version":"latest","metadata":null,"endpoints":[{"name":"Helloworld.Call",` +
  String.raw`"request":{"name":"CallRequest","type":"CallRequest","values":[{"name":"name","type":"string","values":null}]},` +
  String.raw`"response":{"name":"CallResponse","type":"CallResponse","values":[{"name":"msg","type":"string","values":null}]},` +
  String.raw`"metadata":{"stream":"false"}}],"nodes":[{"id":"${NODE_ID}","address":"192.168.1.10:38227",` +
  String.raw`"metadata":{"broker":"http","protocol":"grpc","registry":"etcd","server":"grpc","transport":"grpc"}}]}`;

describe('goMicro.decode', () => {
  it('decodes a go-micro v4 node', () => {
    expect(goMicro.decode(entry(`/micro/registry/helloworld/${NODE_ID}`, V4_VALUE, '7'))).toEqual([
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
    const registrations = goMicro.decode(entry('/micro-registry/a/n1', value));
    expect(registrations?.map((r) => [r.id, r.version, r.metadata])).toEqual([
      ['n1', '<v1>', { env: 'prod', tier: 'y' }],
      ['n2', '<v1>', { env: 'prod', tier: 'x' }],
    ]);
  });

  it('reads the registry domain of go-micro v3 into metadata', () => {
    const value = '{"name":"greeter","version":"latest","metadata":{"domain":"micro"},"nodes":[{"id":"g1","address":"10.0.0.8:1","metadata":null}]}';
    expect(goMicro.decode(entry('/micro/registry/micro/greeter/g1', value))?.[0]).toMatchObject({
      service: 'greeter',
      id: 'g1',
      metadata: { domain: 'micro' },
    });
    expect(goMicro.decode(entry('/micro/registry/staging/greeter/g1', value))?.[0]?.metadata.domain).toBe('staging');
  });

  it('identifies each node by its id, whatever the order and number of nodes', () => {
    const node = (id: string, port: number): string => `{"id":"${id}","address":"10.0.0.${port}:1","metadata":null}`;
    const nodes = (...list: string[]): string => `{"name":"a","nodes":[${list.join(',')}]}`;
    const idsToAddresses = (value: string): [string, string][] =>
      (goMicro.decode(entry('/micro/registry/a/n1', value)) ?? []).map((r): [string, string] => [r.id, r.address]).sort();
    const all = idsToAddresses(nodes(node('n1', 1), node('n2', 2), node('n3', 3)));
    expect(all).toEqual([['n1', '10.0.0.1:1'], ['n2', '10.0.0.2:1'], ['n3', '10.0.0.3:1']]);
    expect(idsToAddresses(nodes(node('n3', 3), node('n1', 1), node('n2', 2)))).toEqual(all);
    expect(idsToAddresses(nodes(node('n2', 2)))).toEqual([['n2', '10.0.0.2:1']]);
  });

  it.each([
    ['null nodes', '{"name":"a","nodes":null}'],
    ['no usable node', '{"name":"a","nodes":[{"id":"n","address":"nowhere","metadata":null}]}'],
    ['a node of the wrong shape', '{"name":"a","nodes":[{"id":1,"address":"10.0.0.1:1"}]}'],
    ['nodes as an object', '{"name":"a","nodes":{"id":"n","address":"10.0.0.1:1"}}'],
  ])('rejects %s', (_, value) => {
    expect(goMicro.decode(entry('/micro/registry/a/n', value))).toBeNull();
  });

  it('ignores other prefixes', () => {
    expect(goMicro.decode(entry(`/micro/config/helloworld/${NODE_ID}`, V4_VALUE))).toBeNull();
  });
});
