import { describe, expect, it } from 'vitest';
import { fenceAfterMs, isFenced, leaderOf } from './leadership';

describe('leaderOf', () => {
  it('has no leader without members', () => {
    expect(leaderOf([])).toBeUndefined();
  });

  it('picks the member whose key was created first, comparing revisions as numbers', () => {
    expect(
      leaderOf([
        { id: 'b', createRevision: '100' },
        { id: 'a', createRevision: '99' },
        { id: 'c', createRevision: '1000' },
      ]),
    ).toBe('a');
  });

  it('compares revisions beyond 2^53 exactly', () => {
    expect(
      leaderOf([
        { id: 'later', createRevision: '9007199254740993' },
        { id: 'earlier', createRevision: '9007199254740992' },
      ]),
    ).toBe('earlier');
  });
});

describe('isFenced', () => {
  const ttlMs = 10_000;

  it('stops acting a second before etcd can have expired the lease (TTL 10 s → 9 s)', () => {
    expect(fenceAfterMs(ttlMs)).toBe(9_000);
    expect(isFenced(0, 8_999, ttlMs)).toBe(false);
    expect(isFenced(0, 9_000, ttlMs)).toBe(true);
  });

  it('keeps a quarter of a short TTL as the margin (TTL 2 s → 1.5 s)', () => {
    expect(isFenced(0, 1_499, 2_000)).toBe(false);
    expect(isFenced(0, 1_500, 2_000)).toBe(true);
  });
});
