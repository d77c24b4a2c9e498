import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { parseHostPort, probeTargetFor, requestPath, type ProbeTarget } from './target';

const instance = (fields: Partial<Instance>): Instance => ({
  id: 'i-1',
  service: 'svc',
  key: '/k',
  address: '10.0.0.1:8080',
  format: 'native',
  metadata: {},
  status: 'unknown',
  drain: null,
  ...fields,
});

const kratos = (endpoints: string): Partial<Instance> => ({ format: 'kratos', metadata: { endpoints } });

describe('probeTargetFor', () => {
  const cases: [string, Partial<Instance>, ProbeTarget][] = [
    ['native health.http → HTTP GET on the address', { health: { http: '/healthz' } }, { kind: 'http', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080', path: '/healthz' }],
    ['a path without its leading slash gets one', { health: { http: 'ready?full=1' } }, { kind: 'http', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080', path: '/ready?full=1' }],
    ['health.http wins over health.grpc', { health: { http: '/h', grpc: true } }, { kind: 'http', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080', path: '/h' }],
    ['native health.grpc → gRPC health on the address', { health: { grpc: true } }, { kind: 'grpc', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080' }],
    ['health.grpc false → TCP', { health: { grpc: false } }, { kind: 'tcp', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080' }],
    ['no declaration → TCP connect to the address', {}, { kind: 'tcp', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080' }],
    ['IPv6 address', { address: '[::1]:80' }, { kind: 'tcp', host: '::1', port: 80, address: '[::1]:80' }],
    ['IPv6 with health path', { address: '[fd00::5]:9000', health: { http: '/h' } }, { kind: 'http', host: 'fd00::5', port: 9000, address: '[fd00::5]:9000', path: '/h' }],
    ['host name', { address: 'users.internal:7001' }, { kind: 'tcp', host: 'users.internal', port: 7001, address: 'users.internal:7001' }],
    [
      'kratos grpc:// endpoint → gRPC health there',
      { ...kratos('http://10.0.0.1:8000,grpc://10.0.0.1:9000'), address: '10.0.0.1:8000' },
      { kind: 'grpc', host: '10.0.0.1', port: 9000, address: '10.0.0.1:9000' },
    ],
    ['kratos http:// only → TCP connect there', { ...kratos('http://10.0.0.2:8000'), address: '10.0.0.2:8000' }, { kind: 'tcp', host: '10.0.0.2', port: 8000, address: '10.0.0.2:8000' }],
    [
      'kratos TLS gRPC endpoint (isSecure=true) → TCP to its http:// endpoint',
      { ...kratos('grpc://10.0.0.3:9000?isSecure=true,http://10.0.0.3:8000'), address: '10.0.0.3:9000' },
      { kind: 'tcp', host: '10.0.0.3', port: 8000, address: '10.0.0.3:8000' },
    ],
    ['kratos IPv6 grpc endpoint', { ...kratos('grpc://[::1]:9000'), address: '[::1]:9000' }, { kind: 'grpc', host: '::1', port: 9000, address: '[::1]:9000' }],
    ['kratos endpoints that do not parse → TCP to the address', { ...kratos('grpc://nope,  '), address: '10.0.0.4:1' }, { kind: 'tcp', host: '10.0.0.4', port: 1, address: '10.0.0.4:1' }],
    ['an "endpoints" metadata key outside kratos is just metadata', { metadata: { endpoints: 'grpc://10.9.9.9:1' } }, { kind: 'tcp', host: '10.0.0.1', port: 8080, address: '10.0.0.1:8080' }],
    ['not host:port → invalid, probes nothing', { address: 'nonsense' }, { kind: 'invalid', reason: 'address "nonsense" is not host:port' }],
    ['port 0 → invalid', { address: '10.0.0.1:0' }, { kind: 'invalid', reason: 'address "10.0.0.1:0" is not host:port' }],
  ];
  it.each(cases)('%s', (_name, fields, expected) => {
    expect(probeTargetFor(instance(fields))).toEqual(expected);
  });

  it('refuses an absurdly long health path', () => {
    expect(probeTargetFor(instance({ health: { http: `/${'a'.repeat(5_000)}` } }))).toEqual({ kind: 'invalid', reason: 'registered health path is too long' });
  });
});

describe('requestPath', () => {
  it('percent-encodes what could bend the request line', () => {
    expect(requestPath('/h ealth\r\nX-Evil: 1')).toBe('/h%20ealth%0D%0AX-Evil:%201');
    expect(requestPath('/é')).toBe('/%C3%A9');
    expect(requestPath('/\uD800')).toBe('/%EF%BF%BD');
  });
});

describe('parseHostPort', () => {
  it.each(['', ':80', 'host:', 'host:70000', '[::1]', '::1:80', 'a b:80', 'http://x:80'])('rejects %j', (text) => {
    expect(parseHostPort(text)).toBeUndefined();
  });
  it('keeps an IPv6 zone', () => {
    expect(parseHostPort('[fe80::1%eth0]:80')).toEqual({ host: 'fe80::1%eth0', port: 80, address: '[fe80::1%eth0]:80' });
  });
});
