import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NativeHistogram } from './histogram';
import { createCumulativeTracker, MAX_IDENTITY_CHARS } from './temporality';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');

const histogram = (counts: number[]): NativeHistogram => ({ kind: 'explicit', bounds: [10, 100], counts });

function tracker(options: { maxStreams?: number; ttlMs?: number } = {}) {
  let now = 1_000_000;
  const tracked = createCumulativeTracker({ now: () => now, maxStreams: options.maxStreams ?? 100, ttlMs: options.ttlMs ?? 60_000, digest: sha256 });
  return { tracked, advance: (ms: number) => (now += ms) };
}

describe('cumulative tracker', () => {
  it('keeps an identity longer than MAX_IDENTITY_CHARS as its digest, still one stream per identity', () => {
    const digested: number[] = [];
    let now = 1_000_000;
    const tracked = createCumulativeTracker({ now: () => now, maxStreams: 100, ttlMs: 60_000, digest: (text) => (digested.push(text.length), sha256(text)) });
    const long = (last: string): string => `${'a'.repeat(100_000)}${last}`;
    const scope = tracked.scopeId(long('r'));
    expect(scope).toBe(tracked.scopeId(long('r')));
    expect(scope).not.toBe(tracked.scopeId(long('s')));
    expect(tracked.accept(`${scope}${long('x')}`, { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    expect(tracked.accept(`${scope}${long('y')}`, { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    now += 1_000;
    expect(tracked.accept(`${scope}${long('x')}`, { startMs: 1, timeMs: 20, histogram: histogram([2, 1, 1]) })?.count).toBe(1);
    expect(tracked.stats().streams).toBe(2);
    expect(tracked.accept('short', { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    expect(digested.every((length) => length > MAX_IDENTITY_CHARS)).toBe(true);
    expect(digested).toHaveLength(6);
  });

  it('contributes nothing for a first point, then the difference over the interval between points', () => {
    const { tracked } = tracker();
    expect(tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) })).toBeNull();
    expect(tracked.accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([6, 8, 1]) })).toEqual({ fromMs: 10_000, toMs: 20_000, count: 5, histogram: histogram([1, 3, 1]) });
  });

  it('counts a restarted process (new, known start after the last point) once, never negative', () => {
    const { tracked } = tracker();
    tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([50, 0, 0]) });
    const restarted = tracked.accept('s', { startMs: 12_000, timeMs: 20_000, histogram: histogram([2, 1, 0]) });
    expect(restarted).toEqual({ fromMs: 12_000, toMs: 20_000, count: 3, histogram: histogram([2, 1, 0]) });
    expect(tracked.accept('s', { startMs: 12_000, timeMs: 30_000, histogram: histogram([4, 1, 0]) })?.count).toBe(2);
    expect(tracked.stats().resets).toBe(1);
  });

  it('counts a restart whose start, truncated to the millisecond, falls in the millisecond of the last point', () => {
    const { tracked } = tracker();
    tracked.accept('s', { startMs: 0, timeMs: 10_000.7, histogram: histogram([50, 0, 0]) });
    expect(tracked.accept('s', { startMs: 10_000, timeMs: 10_005.2, histogram: histogram([7, 0, 0]) })?.count).toBe(7);
  });

  it('contributes nothing for a decrease under the same start, nor for an unknown start', () => {
    const { tracked } = tracker();
    tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) });
    expect(tracked.accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([1, 0, 0]) })).toBeNull();
    expect(tracked.accept('s', { startMs: 30_000, timeMs: 30_000, histogram: histogram([9, 0, 0]) })).toBeNull();
    expect(tracked.accept('s', { startMs: 30_000, timeMs: 40_000, histogram: histogram([10, 0, 0]) })?.count).toBe(1);
  });

  it('ignores a repeated or late point and keeps the newer base', () => {
    const { tracked } = tracker();
    tracked.accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([5, 0, 0]) });
    expect(tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([3, 0, 0]) })).toBeNull();
    expect(tracked.accept('s', { startMs: 0, timeMs: 30_000, histogram: histogram([6, 0, 0]) })?.count).toBe(1);
  });

  it('keeps streams apart and forgets the least recently seen beyond the cap', () => {
    const { tracked } = tracker({ maxStreams: 2 });
    tracked.accept('a', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    tracked.accept('b', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    tracked.accept('c', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    expect(tracked.stats().streams).toBe(2);
    // `a` was evicted: its next point is a first point again.
    expect(tracked.accept('a', { startMs: 0, timeMs: 20_000, histogram: histogram([2, 0, 0]) })).toBeNull();
    expect(tracked.accept('c', { startMs: 0, timeMs: 20_000, histogram: histogram([3, 0, 0]) })?.count).toBe(2);
  });

  it('forgets a stream unseen for the TTL', () => {
    const { tracked, advance } = tracker({ ttlMs: 60_000 });
    tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    advance(60_000);
    expect(tracked.accept('s', { startMs: 0, timeMs: 70_000, histogram: histogram([9, 0, 0]) })).toBeNull();
    expect(tracked.stats().streams).toBe(1);
  });

  it('keeps a stream seen every interval however long it lives, and forgets one unseen beside it', () => {
    const { tracked, advance } = tracker({ ttlMs: 60_000 });
    tracked.accept('quiet', { startMs: 0, timeMs: 1_000, histogram: histogram([1, 0, 0]) });
    tracked.accept('busy', { startMs: 0, timeMs: 1_000, histogram: histogram([1, 0, 0]) });
    for (let second = 10; second <= 180; second += 10) {
      advance(10_000);
      expect(tracked.accept('busy', { startMs: 0, timeMs: second * 1_000, histogram: histogram([1 + second, 0, 0]) })?.count).toBe(10);
    }
    expect(tracked.stats().streams).toBe(1);
    expect(tracked.accept('quiet', { startMs: 0, timeMs: 181_000, histogram: histogram([5, 0, 0]) })).toBeNull();
  });

  it("keeps no reference to a point it was given: the next point is measured against the values it had", () => {
    const { tracked } = tracker();
    const first = histogram([5, 5, 0]);
    tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: first });
    // A caller reusing its arrays (or a decoder sharing them) must not move the stream's base.
    (first.counts as number[]).fill(100);
    const second = histogram([6, 8, 1]);
    expect(tracked.accept('s', { startMs: 0, timeMs: 20_000, histogram: second })?.histogram.counts).toEqual([1, 3, 1]);
    (second.counts as number[]).fill(0);
    expect(tracked.accept('s', { startMs: 0, timeMs: 30_000, histogram: histogram([7, 8, 1]) })?.histogram.counts).toEqual([1, 0, 0]);
  });

  it('takes a new bucket layout under the same start as a reset, and measures the next point against the new layout', () => {
    const { tracked } = tracker();
    tracked.accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) });
    const wider: NativeHistogram = { kind: 'explicit', bounds: [10, 100, 1_000], counts: [5, 5, 0, 0] };
    expect(tracked.accept('s', { startMs: 0, timeMs: 20_000, histogram: wider })).toBeNull();
    expect(tracked.accept('s', { startMs: 0, timeMs: 30_000, histogram: { kind: 'explicit', bounds: [10, 100, 1_000], counts: [5, 6, 2, 0] } })?.histogram.counts).toEqual([0, 1, 2, 0]);
  });

  it('gives a resource and scope one short id while it is remembered, and never the id of another, also once forgotten', () => {
    const { tracked } = tracker({ maxStreams: 100 });
    const first = tracked.scopeId('2[s12:service.name s5:users;]4:otel0:');
    expect(tracked.scopeId('2[s12:service.name s5:users;]4:otel0:')).toBe(first);
    expect(first.length).toBeLessThan(8);
    const ids = new Set([first]);
    // Past the cap the oldest identities are forgotten: one back gets a new id, none is handed out twice.
    for (let i = 0; i < 250; i += 1) ids.add(tracked.scopeId(`2[s12:service.name s6:svc-${i};]4:otel0:`));
    const again = tracked.scopeId('2[s12:service.name s5:users;]4:otel0:');
    expect(ids.has(again)).toBe(false);
    expect(ids.size).toBe(251);
  });
});
