import { afterEach, describe, expect, it } from 'vitest';
import type { RawEntry } from '@/lib/model/registration';
import { decodeEntry, MAX_VALUE_BYTES } from './decode';

const entry = (key: string, value: string | Buffer, lease?: string): RawEntry => ({
  key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  lease,
});

const KITEX_VALUE = '{"network":"tcp","address":"127.0.0.1:8888","weight":10,"tags":null}';

describe('decodeEntry: one sample per format', () => {
  it.each([
    ['native', entry('/services/orders/o1', '{"address":"10.0.0.3:8080"}', '1')],
    ['dubbo-app', entry('/services/app/10.0.0.5:20000', '{"ServiceName":"app","Host":"10.0.0.5","Port":20000,"Enable":true,"Healthy":true}\n', '1')],
    ['kratos', entry('/microservices/hello/x', '{"id":"x","endpoints":["grpc://10.0.0.1:9000"]}', '1')],
    ['go-micro', entry('/micro/registry/hello/n1', '{"nodes":[{"id":"n1","address":"10.0.0.1:1","metadata":null}]}', '1')],
    ['goframe', entry('/service/default/default/hello/latest/10.0.0.1:8000', '{"protocol":"http"}', '1')],
    ['jupiter', entry('/jupiter/hello/providers/grpc://10.0.0.1:9091', '{"name":"hello","address":"10.0.0.1:9091"}', '1')],
    ['kitex', entry('kitex/registry-etcd/echo/127.0.0.1:8888', KITEX_VALUE, '1')],
    ['hertz', entry('hertz/registry-etcd/echo/127.0.0.1:8888', KITEX_VALUE, '1')],
    ['dubbo', entry(`/dubbo/com.foo.Api/providers/${encodeURIComponent('dubbo://10.0.0.1:20000/com.foo.Api?version=1')}`, '', '1')],
    ['rpcx', entry('/rpcx_test/Arith/tcp@127.0.0.1:8972', '', '1')],
    ['grpc-go', entry('greeter/10.0.0.1:50051', '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":null}', '1')],
    ['go-zero', entry('user.rpc/7587874236439215621', '10.0.0.2:8080', '7587874236439215621')],
    ['plain', entry('/myapp/orders/10.0.0.4:9000', '')],
    ['generic', entry('/discovery/payments/pay-1', 'http://10.0.0.9:8080', '1')],
  ] as const)('%s', (format, raw) => {
    expect(decodeEntry(raw)?.map((registration) => registration.format)).toEqual([format]);
  });
});

describe('decodeEntry: identity and leases', () => {
  it('keeps the first of several instances claiming one id, so ids stay unique within a key', () => {
    const value = '{"nodes":[{"id":"n1","address":"10.0.0.1:1"},{"id":"n1","address":"10.0.0.2:1"},{"id":"n2","address":"10.0.0.3:1"}]}';
    expect(decodeEntry(entry('/micro/registry/a/n1', value, '1'))?.map((r) => [r.id, r.address])).toEqual([
      ['n1', '10.0.0.1:1'],
      ['n2', '10.0.0.3:1'],
    ]);
  });

  it('marks the instances of an unleased key, and only those', () => {
    expect(decodeEntry(entry('/myapp/orders/10.0.0.4:9000', ''))?.[0]?.unleased).toBe(true);
    expect(decodeEntry(entry('/myapp/orders/10.0.0.4:9000', '', '5'))?.[0]?.unleased).toBeUndefined();
  });

  it('reads an unleased one-key service only under prefixes the operator named', () => {
    const seeds = entry('/my-service', 'http://localhost:8080');
    expect(decodeEntry(seeds)).toBeNull();
    expect(decodeEntry(seeds, { trustUnleased: true })).toEqual([
      { service: 'my-service', id: 'localhost:8080', address: 'localhost:8080', format: 'generic', metadata: {}, unleased: true },
    ]);
  });
});

describe('decodeEntry: order', () => {
  it('reads a GoFrame key as its own service, not one service named after the version', () => {
    expect(decodeEntry(entry('/service/default/default/user-api/latest/10.0.0.1:8000', '{"protocol":"http"}', '1'))?.[0]?.service).toBe('user-api');
  });

  it('reads a native value under a lease-id segment as native, not go-zero', () => {
    expect(decodeEntry(entry('/services/a/42', '{"address":"10.0.0.1:1"}', '42'))?.[0]?.format).toBe('native');
  });

  it('reads an empty value under /services/<app>/<h:p> as plain', () => {
    expect(decodeEntry(entry('/services/app/10.0.0.5:20000', '', '1'))?.[0]?.format).toBe('plain');
  });

  it('lets the first format that claims an entry own it, even when a cap then refuses it', () => {
    const longId = 'x'.repeat(300);
    expect(decodeEntry(entry('/microservices/a/b', `{"id":"${longId}","endpoints":["grpc://10.0.0.1:1"]}`, '1'))).toBeNull();
  });

  it('never decodes the Switchyard control prefix', () => {
    expect(decodeEntry(entry('/switchyard/drain/a/b', '{"address":"10.0.0.1:1"}', '1'))).toBeNull();
    expect(decodeEntry(entry('/switchyard/a/10.0.0.1:1', '', '1'))).toBeNull();
  });
});

describe('decodeEntry: hostile values', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('replaces invalid UTF-8 inside a JSON value', () => {
    const value = Buffer.concat([Buffer.from('{"address":"10.0.0.1:1","metadata":{"k":"a'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);
    expect(decodeEntry(entry('/services/a/b', value))?.[0]?.metadata).toEqual({ k: 'a\uFFFD(\uFFFD' });
  });

  it('refuses a value that is only invalid UTF-8', () => {
    expect(decodeEntry(entry('/x/a/b', Buffer.from([0xff, 0xfe, 0xfd]), '1'))).toBeNull();
  });

  it.each([
    ['native metadata', '/services/a/b', '{"address":"10.0.0.1:1","metadata":{"__proto__":"x","constructor":{"prototype":{"polluted":1}},"prototype":"p","ok":"1"}}', '{"__proto__":"x","prototype":"p","ok":"1"}'],
    ['a native top-level key', '/services/a/b', '{"__proto__":{"polluted":1},"address":"10.0.0.1:1","metadata":{"ok":"1"}}', '{"ok":"1"}'],
    ['go-micro service and node metadata', '/micro/registry/a/n', '{"metadata":{"__proto__":"x","toString":"s"},"nodes":[{"id":"n","address":"10.0.0.1:1","metadata":{"__proto__":"y","polluted":{"x":1},"ok":"1"}}]}', '{"__proto__":"y","toString":"s","ok":"1"}'],
    ['kratos metadata', '/microservices/a/n', '{"id":"n","name":"a","metadata":{"__proto__":"x","constructor":"c"},"endpoints":["http://10.0.0.1:1"]}', '{"__proto__":"x","constructor":"c","endpoints":"http://10.0.0.1:1"}'],
    ['kitex tags', 'kitex/registry-etcd/a/10.0.0.1:1', '{"address":"10.0.0.1:1","tags":{"__proto__":{"polluted":1},"hasOwnProperty":"h","ok":"1"}}', '{"hasOwnProperty":"h","ok":"1"}'],
    ['grpc-go metadata', 'a/10.0.0.1:1', '{"Addr":"10.0.0.1:1","Metadata":{"__proto__":"x","ok":"1"}}', '{"__proto__":"x","ok":"1"}'],
    ['rpcx query string', '/rpcx/a/tcp@10.0.0.1:1', '__proto__=x&constructor=y&ok=1', '{"network":"tcp","__proto__":"x","constructor":"y","ok":"1"}'],
  ])('keeps prototype-named keys as data and pollutes nothing in %s', (_, key, value, expected) => {
    const metadata = decodeEntry(entry(key, value))?.[0]?.metadata;
    // JSON.parse defines "__proto__" as an own key, as the decoder must (an object literal would not).
    expect(metadata && Object.entries(metadata).sort()).toEqual(Object.entries(JSON.parse(expected) as object).sort());
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a 1 MB value before parsing it', () => {
    const huge = `{"address":"10.0.0.1:1","metadata":{"k":"${'x'.repeat(1024 * 1024)}"}}`;
    expect(decodeEntry(entry('/services/a/b', huge, '1'))).toBeNull();
    expect(decodeEntry(entry('/svc/a/10.0.0.1:1', ' '.repeat(1024 * 1024), '1'))).toBeNull();
  });

  it('still reads a value just under the cap, clipping long metadata', () => {
    const value = `{"address":"10.0.0.1:1","metadata":{"k":"${'x'.repeat(MAX_VALUE_BYTES - 64)}"}}`;
    expect(decodeEntry(entry('/services/a/b', value))?.[0]?.metadata.k).toHaveLength(1024);
  });

  it('survives deeply nested JSON', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    expect(decodeEntry(entry('/services/a/b', `{"address":"10.0.0.1:1","metadata":{"deep":${deep}}}`))?.[0]?.metadata).toEqual({});
  });

  it('returns markup in names and ids verbatim, as text', () => {
    expect(decodeEntry(entry('/services/<img src=x onerror=alert(1)>/b', '{"address":"10.0.0.1:1"}'))?.[0]?.service).toBe(
      '<img src=x onerror=alert(1)>',
    );
    const kratos = String.raw`{"id":"\u003cscript\u003ealert(1)\u003c/script\u003e","endpoints":["grpc://10.0.0.1:9000"]}`;
    expect(decodeEntry(entry('/microservices/a/b', kratos))?.[0]?.id).toBe('<script>alert(1)</script>');
  });

  it.each(['[]', '42', 'null', '"10.0.0.1:1"', 'true', '{"address":["10.0.0.1:1"]}', '{"nodes":"x"}', '{"Addr":{"host":"x"}}', '{"endpoints":[1,2]}'])(
    'treats the wrongly shaped JSON %s as no registration under every JSON key',
    (value) => {
      for (const key of ['/services/a/b', '/microservices/a/b', '/micro/registry/a/b', 'kitex/registry-etcd/a/b', 'a/b']) {
        expect(decodeEntry(entry(key, value))).toBeNull();
      }
    },
  );

  it('survives random bytes under every key shape', () => {
    let seed = 42;
    const nextByte = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256;
    const keys = ['/services/a/b', '/microservices/a/b', '/micro/registry/a/b', 'kitex/registry-etcd/a/10.0.0.1:1', '/rpcx/a/tcp@10.0.0.1:1', 'a/7587874236439215621', '/x/a/10.0.0.1:1'];
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(Array.from({ length: nextByte() }, nextByte));
      for (const key of keys) expect(() => decodeEntry(entry(key, bytes, '1'))).not.toThrow();
    }
  });
});

describe('decodeEntry: caps', () => {
  it('accepts a 256-character service name and refuses 257', () => {
    expect(decodeEntry(entry(`/services/${'s'.repeat(256)}/b`, '{"address":"10.0.0.1:1"}'))).not.toBeNull();
    expect(decodeEntry(entry(`/services/${'s'.repeat(257)}/b`, '{"address":"10.0.0.1:1"}'))).toBeNull();
  });

  it('refuses a service or instance name holding NUL, which PostgreSQL cannot store, and keeps other control characters', () => {
    expect(decodeEntry(entry('/services/a\u0000b/i-1', '{"address":"10.0.0.1:1"}'))).toBeNull();
    expect(decodeEntry(entry('/services/ab/i\u0000-1', '{"address":"10.0.0.1:1"}'))).toBeNull();
    expect(decodeEntry(entry('/services/a\nb/i-1', '{"address":"10.0.0.1:1"}'))).not.toBeNull();
  });

  it('refuses an address over 512 characters', () => {
    expect(decodeEntry(entry(`/svc/a/${'h'.repeat(600)}:80`, ''))).toBeNull();
  });

  it('refuses an empty service name', () => {
    expect(decodeEntry(entry('/7587874236439215621', '10.0.0.2:8080', '7587874236439215621'))).toBeNull();
    expect(decodeEntry(entry('10.0.0.1:1', '{"Addr":"10.0.0.1:1"}'))).toBeNull();
  });

  it('refuses a whole go-micro value when one node breaks a cap', () => {
    const value = `{"nodes":[{"id":"n1","address":"10.0.0.1:1"},{"id":"${'n'.repeat(300)}","address":"10.0.0.2:1"}]}`;
    expect(decodeEntry(entry('/micro/registry/a/n1', value))).toBeNull();
  });
});

describe('decodeEntry: not registrations', () => {
  const protobuf = Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0b, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x05]), Buffer.from('Event\x12\xc3\x01\n10.0.0.1:6443')]);

  it.each([
    ['feature flags', entry('/config/feature-flags', '{"newCheckout":true,"address":"not-an-address"}')],
    ['leased feature flags', entry('/config/feature-flags', '{"newCheckout":true}', '1')],
    ['a kubernetes pod', entry('/registry/pods/default/nginx-7c5b', protobuf)],
    ['a kubernetes event', entry('/registry/events/default/nginx.17a8f3c2d1e0b9a4', protobuf, '7')],
    ['a kubernetes master lease', entry('/registry/masterleases/10.0.0.1', protobuf, '7')],
    ['the rpcx base path', entry('/rpcx_test', 'rpcx_path')],
    ['an rpcx service directory', entry('/rpcx_test/Arith', 'Arith')],
    ['a dubbo consumer', entry(`/dubbo/com.foo.Api/consumers/${encodeURIComponent('consumer://10.0.0.2/com.foo.Api?side=consumer')}`, '', '1')],
    ['a dubbo router', entry('/dubbo/com.foo.Api/routers', '', '1')],
    ['an empty key', entry('', '10.0.0.1:1', '1')],
    ['the root key', entry('/', '10.0.0.1:1', '1')],
  ])('%s', (_, raw) => {
    expect(decodeEntry(raw)).toBeNull();
  });
});
