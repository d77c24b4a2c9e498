import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NativeHistogram } from './histogram';
import { collectionsOf, createCumulativeTracker, MAX_IDENTITY_CHARS, type StreamPoint } from './temporality';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');

const histogram = (counts: number[]): NativeHistogram => ({ kind: 'explicit', bounds: [10, 100], counts });

/** A tracker on a fake clock; `accept` takes a stream of one resource + scope, of metric `m` unless named. */
function tracker(options: { maxStreams?: number; ttlMs?: number } = {}) {
  let now = 1_000_000;
  const tracked = createCumulativeTracker({ now: () => now, maxStreams: options.maxStreams ?? 100, ttlMs: options.ttlMs ?? 60_000, digest: sha256 });
  const scope = tracked.scope('2[s12:service.name s7:gateway;]7:otelhttp0:');
  const accept = (key: string, point: StreamPoint, metric = 'm') => tracked.accept(collectionsOf(scope, metric), `${metric}${key}`, point);
  return { tracked, accept, advance: (ms: number) => (now += ms) };
}

describe('cumulative tracker', () => {
  it('keeps an identity longer than MAX_IDENTITY_CHARS as its digest, still one stream per identity', () => {
    const digested: number[] = [];
    let now = 1_000_000;
    const tracked = createCumulativeTracker({ now: () => now, maxStreams: 100, ttlMs: 60_000, digest: (text) => (digested.push(text.length), sha256(text)) });
    const long = (last: string): string => `${'a'.repeat(100_000)}${last}`;
    const scope = tracked.scope(long('r'));
    expect(scope).toBe(tracked.scope(long('r')));
    expect(scope.id).not.toBe(tracked.scope(long('s')).id);
    const collections = collectionsOf(scope, 'm');
    expect(tracked.accept(collections, `${scope.id}${long('x')}`, { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    expect(tracked.accept(collections, `${scope.id}${long('y')}`, { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    now += 1_000;
    expect(tracked.accept(collections, `${scope.id}${long('x')}`, { startMs: 1, timeMs: 20, histogram: histogram([2, 1, 1]) })?.count).toBe(1);
    expect(tracked.stats().streams).toBe(2);
    expect(tracked.accept(collections, 'short', { startMs: 1, timeMs: 10, histogram: histogram([1, 1, 1]) })).toBeNull();
    expect(digested.every((length) => length > MAX_IDENTITY_CHARS)).toBe(true);
    expect(digested).toHaveLength(6);
  });

  it('contributes nothing for a first point, then the difference over the interval between points', () => {
    const { accept } = tracker();
    expect(accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) })).toBeNull();
    expect(accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([6, 8, 1]) })).toEqual({ fromMs: 10_000, toMs: 20_000, count: 5, histogram: histogram([1, 3, 1]) });
  });

  it('counts a restarted process (new, known start after the last point) once, never negative', () => {
    const { tracked, accept } = tracker();
    accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([50, 0, 0]) });
    const restarted = accept('s', { startMs: 12_000, timeMs: 20_000, histogram: histogram([2, 1, 0]) });
    expect(restarted).toEqual({ fromMs: 12_000, toMs: 20_000, count: 3, histogram: histogram([2, 1, 0]) });
    expect(accept('s', { startMs: 12_000, timeMs: 30_000, histogram: histogram([4, 1, 0]) })?.count).toBe(2);
    expect(tracked.stats().resets).toBe(1);
  });

  it('counts a restart whose start, truncated to the millisecond, falls in the millisecond of the last point', () => {
    const { accept } = tracker();
    accept('s', { startMs: 0, timeMs: 10_000.7, histogram: histogram([50, 0, 0]) });
    expect(accept('s', { startMs: 10_000, timeMs: 10_005.2, histogram: histogram([7, 0, 0]) })?.count).toBe(7);
  });

  it('contributes nothing for a decrease under the same start, nor for an unknown start', () => {
    const { accept } = tracker();
    accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) });
    expect(accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([1, 0, 0]) })).toBeNull();
    expect(accept('s', { startMs: 30_000, timeMs: 30_000, histogram: histogram([9, 0, 0]) })).toBeNull();
    expect(accept('s', { startMs: 30_000, timeMs: 40_000, histogram: histogram([10, 0, 0]) })?.count).toBe(1);
  });

  it('ignores a repeated or late point and keeps the newer base', () => {
    const { accept } = tracker();
    accept('s', { startMs: 0, timeMs: 20_000, histogram: histogram([5, 0, 0]) });
    expect(accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([3, 0, 0]) })).toBeNull();
    expect(accept('s', { startMs: 0, timeMs: 30_000, histogram: histogram([6, 0, 0]) })?.count).toBe(1);
  });

  it('keeps streams apart and forgets the least recently seen beyond the cap', () => {
    const { tracked, accept } = tracker({ maxStreams: 2 });
    accept('a', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    accept('b', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    accept('c', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    expect(tracked.stats().streams).toBe(2);
    // `a` was evicted: its next point is a first point again.
    expect(accept('a', { startMs: 0, timeMs: 20_000, histogram: histogram([2, 0, 0]) })).toBeNull();
    expect(accept('c', { startMs: 0, timeMs: 20_000, histogram: histogram([3, 0, 0]) })?.count).toBe(2);
  });

  it('forgets a stream unseen for the TTL', () => {
    const { tracked, accept, advance } = tracker({ ttlMs: 60_000 });
    accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([1, 0, 0]) });
    advance(60_000);
    expect(accept('s', { startMs: 0, timeMs: 70_000, histogram: histogram([9, 0, 0]) })).toBeNull();
    expect(tracked.stats().streams).toBe(1);
  });

  it('keeps a stream seen every interval however long it lives, and forgets one unseen beside it', () => {
    const { tracked, accept, advance } = tracker({ ttlMs: 60_000 });
    // Of another metric: the quiet stream's next point is not in a collection that follows the busy one's.
    accept('quiet', { startMs: 0, timeMs: 1_000, histogram: histogram([1, 0, 0]) }, 'q');
    accept('busy', { startMs: 0, timeMs: 1_000, histogram: histogram([1, 0, 0]) });
    for (let second = 10; second <= 180; second += 10) {
      advance(10_000);
      expect(accept('busy', { startMs: 0, timeMs: second * 1_000, histogram: histogram([1 + second, 0, 0]) })?.count).toBe(10);
    }
    expect(tracked.stats().streams).toBe(1);
    expect(accept('quiet', { startMs: 0, timeMs: 181_000, histogram: histogram([5, 0, 0]) }, 'q')).toBeNull();
  });

  it("keeps no reference to a point it was given: the next point is measured against the values it had", () => {
    const { accept } = tracker();
    const first = histogram([5, 5, 0]);
    accept('s', { startMs: 0, timeMs: 10_000, histogram: first });
    // A caller reusing its arrays (or a decoder sharing them) must not move the stream's base.
    (first.counts as number[]).fill(100);
    const second = histogram([6, 8, 1]);
    expect(accept('s', { startMs: 0, timeMs: 20_000, histogram: second })?.histogram.counts).toEqual([1, 3, 1]);
    (second.counts as number[]).fill(0);
    expect(accept('s', { startMs: 0, timeMs: 30_000, histogram: histogram([7, 8, 1]) })?.histogram.counts).toEqual([1, 0, 0]);
  });

  it('takes a new bucket layout under the same start as a reset, and measures the next point against the new layout', () => {
    const { accept } = tracker();
    accept('s', { startMs: 0, timeMs: 10_000, histogram: histogram([5, 5, 0]) });
    const wider: NativeHistogram = { kind: 'explicit', bounds: [10, 100, 1_000], counts: [5, 5, 0, 0] };
    expect(accept('s', { startMs: 0, timeMs: 20_000, histogram: wider })).toBeNull();
    expect(accept('s', { startMs: 0, timeMs: 30_000, histogram: { kind: 'explicit', bounds: [10, 100, 1_000], counts: [5, 6, 2, 0] } })?.histogram.counts).toEqual([0, 1, 2, 0]);
  });

  it('gives a resource and scope one short id while it is remembered, and never the id of another, also once forgotten', () => {
    const { tracked } = tracker({ maxStreams: 100 });
    const first = tracked.scope('2[s12:service.name s5:users;]4:otel0:').id;
    expect(tracked.scope('2[s12:service.name s5:users;]4:otel0:').id).toBe(first);
    expect(first.length).toBeLessThan(8);
    const ids = new Set([first]);
    // Past the cap the oldest identities are forgotten: one back gets a new id, none is handed out twice.
    for (let i = 0; i < 250; i += 1) ids.add(tracked.scope(`2[s12:service.name s6:svc-${i};]4:otel0:`).id);
    const again = tracked.scope('2[s12:service.name s5:users;]4:otel0:').id;
    expect(ids.has(again)).toBe(false);
    expect(ids.size).toBe(251);
  });
});

/**
 * New streams, in the shapes the SDKs give them: every point of one metric's collection carries that
 * collection's time; a stream's start is the SDK's start in Go (all streams alike) and its first call
 * in JS. Collections every 10 s, on our clock as on the reporter's.
 */
describe('cumulative tracker: a new stream', () => {
  const SDK_START = 1_000;
  const INTERVAL = 10_000;
  const point = (startMs: number, timeMs: number, counts: number[]): StreamPoint => ({ startMs, timeMs, histogram: histogram(counts) });

  /** Collections at 10 s, 20 s, … up to `lastSecond` of the stream `ok`, which grows by one call each. */
  function exporting(lastSecond: number, options: { maxStreams?: number; ttlMs?: number } = {}) {
    const tracked = tracker(options);
    for (let second = 10; second <= lastSecond; second += 10) {
      tracked.accept('ok', point(SDK_START, second * 1_000, [second / 10, 0, 0]));
      tracked.advance(INTERVAL);
    }
    return tracked;
  }

  it('counts whole when it was absent from the previous collection, which followed another seen here (Go: every stream starts at the SDK start)', () => {
    const { accept } = exporting(20);
    expect(accept('err', point(SDK_START, 30_000, [0, 0, 5]))).toEqual({ fromMs: 20_000, toMs: 30_000, count: 5, histogram: histogram([0, 0, 5]) });
    expect(accept('ok', point(SDK_START, 30_000, [3, 0, 0]))?.count).toBe(1);
    // Then by its increase, as any stream: never counted twice.
    expect(accept('err', point(SDK_START, 40_000, [0, 0, 7]))?.count).toBe(2);
  });

  it('counts whole from its start when that is after the previous collection (JS: a stream starts at its first call), with one collection seen here', () => {
    const { accept } = exporting(10);
    expect(accept('err', point(14_000, 20_000, [0, 0, 5]))).toEqual({ fromMs: 14_000, toMs: 20_000, count: 5, histogram: histogram([0, 0, 5]) });
  });

  it('after our own restart counts nothing whole until this process saw a collection whole: the first one here may have come in part', () => {
    const { accept, advance } = tracker();
    expect(accept('ok', point(SDK_START, 10_000, [1, 0, 0]))).toBeNull();
    expect(accept('err', point(SDK_START, 10_000, [0, 0, 5]))).toBeNull();
    advance(INTERVAL);
    // In the SDK since before the restart (its first collection here held it in a part we missed): not new.
    expect(accept('slow', point(SDK_START, 20_000, [0, 4, 0]))).toBeNull();
    expect(accept('old-js', point(5_000, 20_000, [0, 4, 0]))).toBeNull();
    expect(accept('err', point(SDK_START, 20_000, [0, 0, 6]))?.count).toBe(1);
  });

  it("counts an exporter restart's new streams whole from its start and its continuing ones by the reset rule, each once", () => {
    const { accept } = exporting(20);
    const restartedAt = 25_000;
    expect(accept('ok', point(restartedAt, 30_000, [3, 0, 0]))).toMatchObject({ fromMs: restartedAt, count: 3 });
    expect(accept('err', point(restartedAt, 30_000, [0, 0, 4]))).toMatchObject({ fromMs: restartedAt, count: 4 });
    expect(accept('err', point(restartedAt, 40_000, [0, 0, 6]))?.count).toBe(2);
  });

  it('counts nothing when the previous collection seen here is further back than the interval: those between went to another replica', () => {
    const { accept, advance } = exporting(30);
    advance(3 * INTERVAL);
    expect(accept('ok', point(SDK_START, 70_000, [7, 0, 0]))?.count).toBe(4);
    expect(accept('err', point(SDK_START, 70_000, [0, 0, 5]))).toBeNull();
    expect(accept('js', point(45_000, 70_000, [0, 0, 5]))).toBeNull();
  });

  it('counts nothing for a point of unknown start: none, or equal to its time (the data model), or in a late collection', () => {
    const { accept } = exporting(20);
    expect(accept('ok', point(SDK_START, 30_000, [3, 0, 0]))?.count).toBe(1);
    expect(accept('unknown', point(30_000, 30_000, [0, 0, 5]))).toBeNull();
    expect(accept('none', point(0, 30_000, [0, 0, 5]))).toBeNull();
    expect(accept('late', point(SDK_START, 25_000, [0, 0, 5]))).toBeNull();
  });

  it('takes a collection that arrives in two requests as one: the second part is measured against the previous collection too', () => {
    const { accept } = exporting(20);
    expect(accept('ok', point(SDK_START, 30_000, [3, 0, 0]))?.count).toBe(1);
    // Another metric's collection, a moment later (Go stamps each instrument's collection with its own time), moves nothing here.
    expect(accept('server', point(SDK_START, 30_000.02, [9, 0, 0]), 'other')).toBeNull();
    expect(accept('err', point(SDK_START, 30_000, [0, 0, 5]))).toMatchObject({ fromMs: 20_000, count: 5 });
  });

  it('counts nothing when streams were dropped for the cap since the previous collection: it may have been one of them', () => {
    const { accept } = exporting(20, { maxStreams: 3 });
    for (const key of ['x', 'y', 'z']) accept(key, point(SDK_START, 20_000, [1, 0, 0]), 'other');
    // `ok` was the least recently seen: dropped, and back as if new.
    expect(accept('ok', point(SDK_START, 30_000, [3, 0, 0]))).toBeNull();
  });

  it('counts nothing when the previous collection is older than the TTL: a stream in it may have been forgotten since', () => {
    const { accept } = exporting(20, { ttlMs: 5_000 });
    expect(accept('ok', point(SDK_START, 30_000, [3, 0, 0]))).toBeNull();
  });
});
