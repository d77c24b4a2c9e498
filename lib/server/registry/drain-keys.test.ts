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
    const drain = parseDrainValue(value({ by: 'b'.repeat(10_000), reason: 'r'.repeat(10_000), at: '2025-01-01T00:00:00.000Z' }));
    expect(drain?.by).toHaveLength(256);
    expect(drain?.reason).toHaveLength(1024);
  });

  it('dates a drain whose time is not one when it is seen, and leaves out such an until', () => {
    const seenAt = () => new Date('2026-12-06T15:00:00.000Z');
    for (const bad of ['not a date', 't'.repeat(10_000), '', '+275760-09-13T00:00:00.001Z', '-000001-01-01T00:00:00Z']) {
      expect(parseDrainValue(value({ by: 'mallory', reason: 'r', at: bad, until: bad }), seenAt)).toEqual({ by: 'mallory', reason: 'r', at: '2026-12-06T15:00:00.000Z' });
    }
  });

  it('refuses values that are not a drain', () => {
    expect(parseDrainValue(Buffer.from('<script>'))).toBeNull();
    expect(parseDrainValue(value({ by: 1, reason: 'x', at: 'y' }))).toBeNull();
  });
});
