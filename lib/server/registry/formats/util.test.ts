import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  isHostPort,
  joinHostPort,
  serviceBeforeInstance,
  keySegments,
  metadataFrom,
  metadataOf,
  parseEndpoint,
  readJsonObject,
  valueText,
  weightOf,
} from './util';

describe('isHostPort', () => {
  it.each(['10.0.0.1:80', 'localhost:8080', 'svc_a.ns.svc.cluster.local:65535', '[::1]:9000', '[fe80::1%eth0]:1'])(
    'accepts %s',
    (text) => expect(isHostPort(text)).toBe(true),
  );
  it.each(['', '10.0.0.1', '10.0.0.1:0', '10.0.0.1:65536', '::1:80', 'http://a:1', 'a b:80', '-a:80', 'a:80/x', 'a:8o'])(
    'rejects %j',
    (text) => expect(isHostPort(text)).toBe(false),
  );
});

describe('joinHostPort', () => {
  it('brackets IPv6 hosts like net.JoinHostPort', () => {
    expect(joinHostPort('10.0.0.5', 20000)).toBe('10.0.0.5:20000');
    expect(joinHostPort('fd00::5', 20000)).toBe('[fd00::5]:20000');
  });
  it('rejects what cannot be an address', () => {
    expect(joinHostPort('', 80)).toBeUndefined();
    expect(joinHostPort('a', 0)).toBeUndefined();
    expect(joinHostPort('a', 1.5)).toBeUndefined();
  });
});

describe('parseEndpoint', () => {
  it('splits scheme, address and the rest', () => {
    expect(parseEndpoint('grpc://10.0.0.1:9000?isSecure=false')).toEqual({
      scheme: 'grpc',
      address: '10.0.0.1:9000',
      rest: '?isSecure=false',
    });
    expect(parseEndpoint('HTTP://[::1]:80/x')).toEqual({ scheme: 'http', address: '[::1]:80', rest: '/x' });
  });
  it.each(['http://a', 'http://user@a:80', '10.0.0.1:80', '://a:1', ''])('rejects %j', (text) =>
    expect(parseEndpoint(text)).toBeUndefined(),
  );
});

describe('keys', () => {
  it('ignores one leading slash', () => {
    expect(keySegments('/a/b')).toEqual(['a', 'b']);
    expect(keySegments('a/b')).toEqual(['a', 'b']);
  });

  it('names the service by the segment just before the instance, never the path above it', () => {
    expect(serviceBeforeInstance(keySegments('/user.rpc/42'))).toBe('user.rpc');
    expect(serviceBeforeInstance(keySegments('services/user.rpc/42'))).toBe('user.rpc');
    expect(serviceBeforeInstance(keySegments('alone'))).toBeUndefined();
  });
});

describe('readJsonObject', () => {
  const Schema = z.object({ a: z.string() });
  it('accepts Go escapes, a trailing newline and a BOM', () => {
    expect(readJsonObject(Buffer.from(String.raw`{"a":"\u003cb\u003e\u0026"}` + '\n'), Schema)).toEqual({ a: '<b>&' });
    expect(readJsonObject(Buffer.from('\uFEFF{"a":"x"}'), Schema)).toEqual({ a: 'x' });
  });
  it.each(['', 'null', '[{"a":"x"}]', '42', '{"a":1}', '{"a":', 'not json'])('gives undefined for %j', (text) =>
    expect(readJsonObject(Buffer.from(text), Schema)).toBeUndefined(),
  );
  it('replaces invalid UTF-8 rather than failing', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(readJsonObject(bytes, Schema)).toEqual({ a: 'x\uFFFD\uFFFD' });
  });
});

describe('metadata', () => {
  it('keeps strings, stringifies numbers and booleans, skips null and nesting', () => {
    expect(metadataOf({ s: 'x', n: 3, b: false, z: null, o: { a: 1 }, l: [1] })).toEqual({ s: 'x', n: '3', b: 'false' });
  });
  it('keeps keys named like Object.prototype members as own data, without polluting', () => {
    const raw: unknown = JSON.parse('{"__proto__":"p1","constructor":"c","toString":"t","hasOwnProperty":"h","prototype":"p","nested":{"polluted":1},"ok":"1"}');
    const metadata = metadataOf(raw);
    expect(Object.entries(metadata)).toEqual([['__proto__', 'p1'], ['constructor', 'c'], ['toString', 't'], ['hasOwnProperty', 'h'], ['prototype', 'p'], ['ok', '1']]);
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(JSON.stringify(metadata)).toBe('{"__proto__":"p1","constructor":"c","toString":"t","hasOwnProperty":"h","prototype":"p","ok":"1"}');
    expect(metadataFrom([['__proto__', { polluted: 1 }]])).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('caps entries, key length and value length', () => {
    const many = Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'] as const);
    expect(Object.keys(metadataFrom(many))).toHaveLength(64);
    expect(metadataFrom([['k'.repeat(257), 'v'], ['', 'v']])).toEqual({});
    expect(metadataFrom([['k', 'v'.repeat(5000)]]).k).toHaveLength(1024);
  });
  it('gives an empty map for non-objects', () => {
    expect(metadataOf(null)).toEqual({});
    expect(metadataOf(['a'])).toEqual({});
    expect(metadataOf('a=b')).toEqual({});
  });
});

describe('weightOf', () => {
  it('accepts non-negative numbers and digit strings only', () => {
    expect(weightOf(10)).toBe(10);
    expect(weightOf('7')).toBe(7);
    expect(weightOf(-1)).toBeUndefined();
    expect(weightOf('')).toBeUndefined();
    expect(weightOf('1e3')).toBeUndefined();
    expect(weightOf(null)).toBeUndefined();
  });
});

describe('valueText', () => {
  it('trims edge whitespace', () => expect(valueText(Buffer.from(' 10.0.0.1:80\n'))).toBe('10.0.0.1:80'));
});
