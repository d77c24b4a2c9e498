import { describe, expect, it } from 'vitest';
import { ownerOf } from './rendezvous';

const keys = Array.from({ length: 10_000 }, (_, i) => `/services/svc-${i % 97}/instance-${i}`);
const members = ['replica-a', 'replica-b', 'replica-c'];

describe('ownerOf', () => {
  it('has no owner without members', () => {
    expect(ownerOf('/services/a/1', [])).toBeUndefined();
  });

  it('gives the same owner whatever the order of the member list', () => {
    const reversed = [...members].reverse();
    for (const key of keys.slice(0, 500)) expect(ownerOf(key, reversed)).toBe(ownerOf(key, members));
  });

  it('spreads keys evenly: each of three members owns a third within 5 %', () => {
    const counts = new Map<string, number>();
    for (const key of keys) {
      const owner = ownerOf(key, members) ?? 'none';
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(members);
    for (const count of counts.values()) expect(Math.abs(count - keys.length / 3)).toBeLessThan(keys.length * 0.05);
  });

  it('moves only the leaving member’s keys when a member leaves', () => {
    const remaining = members.filter((m) => m !== 'replica-b');
    for (const key of keys) {
      const before = ownerOf(key, members);
      const after = ownerOf(key, remaining);
      if (before === 'replica-b') expect(remaining).toContain(after);
      else expect(after).toBe(before);
    }
  });

  it('moves only a share of keys, all to the newcomer, when a member joins', () => {
    const joined = [...members, 'replica-d'];
    let moved = 0;
    for (const key of keys) {
      const before = ownerOf(key, members);
      const after = ownerOf(key, joined);
      if (after !== before) {
        expect(after).toBe('replica-d');
        moved += 1;
      }
    }
    expect(Math.abs(moved - keys.length / 4)).toBeLessThan(keys.length * 0.05);
  });
});
