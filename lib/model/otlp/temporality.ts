import { BoundedMap, dropOldest, moveToNewest } from '../bounded-map';
import { subtract, totalOf, type NativeHistogram } from './histogram';

/** One data point of a stream, times in ms since the epoch (the reporter's clock). */
export interface StreamPoint {
  startMs: number;
  timeMs: number;
  histogram: NativeHistogram;
}

/** What a point contributes: calls between `fromMs` and `toMs`. */
export interface Increment {
  fromMs: number;
  toMs: number;
  histogram: NativeHistogram;
  count: number;
}

export interface CumulativeTrackerOptions {
  now: () => number;
  /** Streams kept at most; the least recently seen is forgotten first. */
  maxStreams: number;
  /** A stream unseen this long is forgotten (its next point is a first point again). */
  ttlMs: number;
  /**
   * A fixed-length digest (a cryptographic hash: two identities must never share one) of identities
   * longer than `MAX_IDENTITY_CHARS`, which are kept as their digest.
   */
  digest: (identity: string) => string;
}

/**
 * Stream and scope identities longer than this are kept as their digest: they are built from every
 * attribute's text (up to 128 × 4,096 characters each), and 50,000 streams of such keys held gigabytes
 * (7 MB of gzipped exports kept 2.1 GB, adversarial pass of 2026-12-06). Real ones are ~100–2,000.
 */
export const MAX_IDENTITY_CHARS = 512;

/** Expired streams are looked for at most this often. */
const EXPIRY_EVERY_MS = 1_000;

/** A histogram the tracker owns: the last point's, its arrays overwritten by the next point's. */
type OwnedHistogram =
  | { kind: 'explicit'; bounds: number[]; counts: number[] }
  | { kind: 'exponential'; scale: number; offset: number; counts: number[]; zeroCount: number };

interface Seen {
  startMs: number;
  timeMs: number;
  histogram: OwnedHistogram;
  seenAt: number;
  /** When the stream last moved to the newest end of the map's order. */
  movedAt: number;
}

const owned = (histogram: NativeHistogram): OwnedHistogram =>
  histogram.kind === 'explicit'
    ? { kind: 'explicit', bounds: [...histogram.bounds], counts: [...histogram.counts] }
    : { kind: 'exponential', scale: histogram.scale, offset: histogram.offset, counts: [...histogram.counts], zeroCount: histogram.zeroCount };

const sameNumbers = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * The point's histogram in place of the stream's last one. Every stream's last point outlives a
 * whole export interval, so keeping each new point (its object and arrays) promoted ~2.6 KB an
 * export into the old generation for the major collector to clear again; written into the arrays
 * the stream already has, an export leaves nothing behind. A new layout gets new arrays.
 */
function overwrite(seen: Seen, histogram: NativeHistogram): void {
  const kept = seen.histogram;
  if (kept.counts.length !== histogram.counts.length || kept.kind !== histogram.kind || (kept.kind === 'explicit' && histogram.kind === 'explicit' && !sameNumbers(kept.bounds, histogram.bounds))) {
    seen.histogram = owned(histogram);
    return;
  }
  for (let i = 0; i < histogram.counts.length; i += 1) kept.counts[i] = histogram.counts[i] as number;
  if (kept.kind === 'exponential' && histogram.kind === 'exponential') {
    kept.scale = histogram.scale;
    kept.offset = histogram.offset;
    kept.zeroCount = histogram.zeroCount;
  }
}

/** Cumulative points turned into increments, stream by stream (createCumulativeTracker). */
export interface CumulativeTracker {
  /**
   * A short stand-in for a resource + scope identity, to begin its streams' keys with. Every point
   * of a resource carries all its attributes (an SDK's resource has a dozen or more); in each
   * point's key they made every lookup hash and compare them again.
   */
  scopeId(identity: string): string;
  /** What the stream's point under `key` adds since its last one: null for a first point, a repeat, a late point or a reset from an unknown start. */
  accept(key: string, point: StreamPoint): Increment | null;
  stats(): CumulativeTrackerStats;
}

export interface CumulativeTrackerStats {
  /** Streams remembered now. */
  streams: number;
  /** Resets seen so far (a new start time or a decreasing bucket). */
  resets: number;
}

/**
 * Turns cumulative points into increments per stream (resource + scope + name + attributes), by the
 * data model's "Resets and Gaps" rules: the first point of a stream contributes nothing (we cannot
 * know what it already counted before we saw it); a new start time or a decreasing bucket is a
 * reset, after which the point contributes all it holds when its start is known and after what we
 * last saw (a restarted process: counted once, never doubled), else nothing.
 */
export function createCumulativeTracker(options: CumulativeTrackerOptions): CumulativeTracker {
  // Least recently moved first. A stream moves to the newest end at most every quarter TTL (a move
  // is a delete and an insert, the costliest part of a point), so the order is least recently seen
  // first to within that.
  const streams = new Map<string, Seen>();
  const moveEveryMs = options.ttlMs / 4;
  /** Resource + scope identities → short ids, never reused (a forgotten one comes back under a new id). */
  const scopes = new BoundedMap<string, string>(options.maxStreams);
  let scopesSeen = 0;
  let resets = 0;
  /** A digest starts with `#`, which no identity as built (observations.ts) does. */
  const kept = (identity: string): string => (identity.length > MAX_IDENTITY_CHARS ? `#${options.digest(identity)}` : identity);

  let lastExpiry = Number.NEGATIVE_INFINITY;
  /**
   * Walks from the least recently moved stream, at most once a second: a Map reaches its first
   * entry by passing every entry deleted since it last compacted, tens of µs in a busy one.
   */
  const forgetExpired = (now: number): void => {
    if (now - lastExpiry < EXPIRY_EVERY_MS) return;
    lastExpiry = now;
    for (const [key, seen] of streams) {
      // Every later stream moved after this one, and was seen since it moved: none has expired.
      if (now - seen.movedAt < options.ttlMs) break;
      if (now - seen.seenAt >= options.ttlMs) streams.delete(key);
    }
  };

  return {
    scopeId(fullIdentity: string): string {
      const identity = kept(fullIdentity);
      let id = scopes.get(identity);
      if (id === undefined) {
        id = `${(scopesSeen += 1).toString(36)}|`;
        scopes.set(identity, id);
      }
      return id;
    },
    accept(fullKey: string, point: StreamPoint): Increment | null {
      const key = kept(fullKey);
      const now = options.now();
      forgetExpired(now);
      const seen = streams.get(key);
      if (!seen) {
        streams.set(key, { startMs: point.startMs, timeMs: point.timeMs, histogram: owned(point.histogram), seenAt: now, movedAt: now });
        // Over the cap, the least recently moved go first.
        dropOldest(streams, options.maxStreams);
        return null;
      }
      seen.seenAt = now;
      moveToNewest(streams, key, seen, now, moveEveryMs);
      // A repeat or a late point: nothing new. The newer one stays the base.
      if (point.timeMs <= seen.timeMs) return null;
      const previousTimeMs = seen.timeMs;
      const sameStart = point.startMs === seen.startMs;
      const delta = sameStart ? subtract(point.histogram, seen.histogram) : null;
      seen.startMs = point.startMs;
      seen.timeMs = point.timeMs;
      overwrite(seen, point.histogram);
      if (delta) return { fromMs: previousTimeMs, toMs: point.timeMs, histogram: delta, count: totalOf(delta) };
      resets += 1;
      // OpenTelemetry JS truncates a stream's start to the millisecond: a start in the millisecond of the
      // last point is after it.
      const knownStart = point.startMs > 0 && point.startMs < point.timeMs && point.startMs >= Math.floor(previousTimeMs);
      if (!sameStart && knownStart) return { fromMs: point.startMs, toMs: point.timeMs, histogram: point.histogram, count: totalOf(point.histogram) };
      return null;
    },
    stats: () => ({ streams: streams.size, resets }),
  };
}
