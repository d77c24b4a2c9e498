import { describe, expect, it } from 'vitest';
import { drainEtcdKey, parseDrainKey, parseDrainValue } from './drain-keys';

const value = (drain: unknown): Buffer => Buffer.from(JSON.stringify(drain));

describe('drain keys', () => {
  it('round-trips hostile names through the percent-encoded key', () => {
    const service = '<img src=x onerror="window.__pwned=1">/a';
    const id = '../%2e\u202e';
    const key = drainEtcdKey('/switchyard/', service, id);
    expect(key.split('/')).toHaveLength(5);
    expect(parseDrainKey('/switchyard/', key)).toEqual({ service, id });
  });

  it('refuses a malformed escape instead of throwing', () => {
    expect(parseDrainKey('/switchyard/', '/switchyard/drain/%E0%A4%A/x')).toBeNull();
  });
});

describe('parseDrainValue', () => {
  it('keeps an ordinary drain as written', () => {
    const drain = { by: 'ci', reason: 'deploy 4.2', at: '2025-01-01T00:00:00.000Z', until: '2025-01-01T01:00:00.000Z' };
    expect(parseDrainValue(value(drain))).toEqual(drain);
  });

  it('clips texts a stranger wrote with etcdctl', () => {
    const drain = parseDrainValue(value({ by: 'b'.repeat(10_000), reason: 'r'.repeat(10_000), at: 't'.repeat(10_000), until: 'u'.repeat(10_000) }));
    expect(drain?.by).toHaveLength(256);
    expect(drain?.reason).toHaveLength(1024);
    expect(drain?.at).toHaveLength(64);
    expect(drain?.until).toHaveLength(64);
  });

  it('refuses values that are not a drain', () => {
    expect(parseDrainValue(Buffer.from('<script>'))).toBeNull();
    expect(parseDrainValue(value({ by: 1, reason: 'x', at: 'y' }))).toBeNull();
  });
});
