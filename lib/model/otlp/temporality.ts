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

/**
 * How far past its metric's previous collection a new stream's first point may be, in that metric's
 * own intervals, and in ms while only one collection is known (the SDKs' default period is 60 s):
 * further apart, collections between them may have gone to another replica.
 */
const NEXT_COLLECTION_WITHIN_INTERVALS = 1.5;
const NEXT_COLLECTION_WITHIN_MS = 90_000;

/**
 * One metric's last two collections as this process saw them (an SDK stamps every point of one
 * metric's collection with one time: the Go SDK per instrument, the JS SDK per export), which tell
 * whether a stream new here was born since the previous one.
 */
export interface MetricCollections {
  /** The latest collection's time (reporter's clock), when it was first seen (ours), and streams dropped for the cap by then. */
  latestMs: number;
  latestAt: number;
  latestDrops: number;
  /** The collection before it, likewise. */
  priorMs: number;
  priorAt: number;
  priorDrops: number;
  /** From the collection before `prior` to `prior`; not finite until three were seen. */
  intervalMs: number;
}

/** One resource + scope as the tracker knows it: a short id to begin its streams' keys with, and its metrics' collections. */
export interface StreamScope {
  readonly id: string;
  /** By metric name: the duration metrics alone reach here, so a handful at most. */
  readonly metrics: Map<string, MetricCollections>;
}

/** The collections of the scope's metric `name`. */
export function collectionsOf(scope: StreamScope, name: string): MetricCollections {
  let collections = scope.metrics.get(name);
  if (collections === undefined) {
    const never = Number.NEGATIVE_INFINITY;
    collections = { latestMs: never, latestAt: never, latestDrops: 0, priorMs: never, priorAt: never, priorDrops: 0, intervalMs: Number.NaN };
    scope.metrics.set(name, collections);
  }
  return collections;
}

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
   * The scope of a resource + scope identity; its `id` begins its streams' keys. Every point of a
   * resource carries all its attributes (an SDK's resource has a dozen or more); in each point's key
   * they made every lookup hash and compare them again.
   */
  scope(identity: string): StreamScope;
  /**
   * What the stream's point under `key`, of the metric whose collections are `collections`, adds since
   * its last one: null for a repeat, a late point, a reset from an unknown start, or a first point not
   * known to be born since the metric's previous collection.
   */
  accept(collections: MetricCollections, key: string, point: StreamPoint): Increment | null;
  stats(): CumulativeTrackerStats;
}

export interface CumulativeTrackerStats {
  /** Streams remembered now. */
  streams: number;
  /** Resets seen so far (a new start time or a decreasing bucket). */
  resets: number;
}

/** Moves the collections on when `timeMs` begins a new one. */
function noteCollection(collections: MetricCollections, timeMs: number, now: number, drops: number): void {
  if (timeMs <= collections.latestMs) return;
  collections.intervalMs = collections.latestMs - collections.priorMs;
  collections.priorMs = collections.latestMs;
  collections.priorAt = collections.latestAt;
  collections.priorDrops = collections.latestDrops;
  collections.latestMs = timeMs;
  collections.latestAt = now;
  collections.latestDrops = drops;
}

/**
 * Whether a stream first seen here holds only calls made since its metric's previous collection, so
 * its first point counts whole (ARCHITECTURE "OpenTelemetry intake", new streams): it belongs to the
 * latest collection, which followed the previous one seen here within the metric's interval (none
 * went to another replica in between), and either its start is after that collection (the JS SDK
 * starts a stream at its first call) or it was absent from a collection this process saw whole (the
 * Go SDK starts every stream at the SDK's start): one after an earlier one seen here, with every
 * stream it held still remembered.
 */
function bornSincePrior(collections: MetricCollections, point: StreamPoint, now: number, drops: number, ttlMs: number): boolean {
  if (point.timeMs !== collections.latestMs || !(point.startMs > 0 && point.startMs < point.timeMs)) return false;
  const known = Number.isFinite(collections.intervalMs);
  const within = known ? collections.intervalMs * NEXT_COLLECTION_WITHIN_INTERVALS : NEXT_COLLECTION_WITHIN_MS;
  if (!(point.timeMs - collections.priorMs <= within)) return false;
  if (point.startMs > collections.priorMs) return true;
  return known && drops === collections.priorDrops && now - collections.priorAt < ttlMs;
}

/**
 * Turns cumulative points into increments per stream (resource + scope + name + attributes), by the
 * data model's "Resets and Gaps" rules: the first point of a stream contributes nothing (we cannot
 * know what it already counted before we saw it) unless it was born since its metric's previous
 * collection (`bornSincePrior`); a new start time or a decreasing bucket is a reset, after which the
 * point contributes all it holds when its start is known and after what we last saw (a restarted
 * process: counted once, never doubled), else nothing.
 */
export function createCumulativeTracker(options: CumulativeTrackerOptions): CumulativeTracker {
  // Least recently moved first. A stream moves to the newest end at most every quarter TTL (a move
  // is a delete and an insert, the costliest part of a point), so the order is least recently seen
  // first to within that.
  const streams = new Map<string, Seen>();
  const moveEveryMs = options.ttlMs / 4;
  /** Resource + scope identities → their scopes, whose ids are never reused (a forgotten one comes back under a new id, knowing no collection). */
  const scopes = new BoundedMap<string, StreamScope>(options.maxStreams);
  let scopesSeen = 0;
  let resets = 0;
  /** Times streams were dropped for the cap: a stream absent here since a collection may have been in it. */
  let drops = 0;
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
    scope(fullIdentity: string): StreamScope {
      const identity = kept(fullIdentity);
      let scope = scopes.get(identity);
      if (scope === undefined) {
        scope = { id: `${(scopesSeen += 1).toString(36)}|`, metrics: new Map() };
        scopes.set(identity, scope);
      }
      return scope;
    },
    accept(collections: MetricCollections, fullKey: string, point: StreamPoint): Increment | null {
      const key = kept(fullKey);
      const now = options.now();
      forgetExpired(now);
      noteCollection(collections, point.timeMs, now, drops);
      const seen = streams.get(key);
      if (!seen) {
        const born = bornSincePrior(collections, point, now, drops, options.ttlMs);
        streams.set(key, { startMs: point.startMs, timeMs: point.timeMs, histogram: owned(point.histogram), seenAt: now, movedAt: now });
        // Over the cap, the least recently moved go first.
        if (streams.size > options.maxStreams) {
          dropOldest(streams, options.maxStreams);
          drops += 1;
        }
        if (!born) return null;
        return { fromMs: Math.max(point.startMs, collections.priorMs), toMs: point.timeMs, histogram: point.histogram, count: totalOf(point.histogram) };
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
