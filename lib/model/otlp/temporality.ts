import { dropOldest, moveToNewest } from '../bounded-map';
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
}

/** Expired streams are looked for at most this often. */
const EXPIRY_EVERY_MS = 1_000;

interface Seen {
  point: StreamPoint;
  seenAt: number;
  /** When the stream last moved to the newest end of the map's order. */
  movedAt: number;
}

/**
 * Turns cumulative points into increments per stream (resource + scope + name + attributes), by the
 * data model's "Resets and Gaps" rules: the first point of a stream contributes nothing (we cannot
 * know what it already counted before we saw it); a new start time or a decreasing bucket is a
 * reset, after which the point contributes all it holds when its start is known and after what we
 * last saw (a restarted process: counted once, never doubled), else nothing.
 */
export function createCumulativeTracker(options: CumulativeTrackerOptions) {
  // Least recently moved first. A stream moves to the newest end at most every quarter TTL (a move
  // is a delete and an insert, the costliest part of a point), so the order is least recently seen
  // first to within that.
  const streams = new Map<string, Seen>();
  const moveEveryMs = options.ttlMs / 4;
  let resets = 0;

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
    accept(key: string, point: StreamPoint): Increment | null {
      const now = options.now();
      forgetExpired(now);
      const seen = streams.get(key);
      if (!seen) {
        streams.set(key, { point, seenAt: now, movedAt: now });
        // Over the cap, the least recently moved go first.
        dropOldest(streams, options.maxStreams);
        return null;
      }
      seen.seenAt = now;
      moveToNewest(streams, key, seen, now, moveEveryMs);
      const previous = seen.point;
      // A repeat or a late point: nothing new. The newer one stays the base.
      if (point.timeMs <= previous.timeMs) return null;
      seen.point = point;
      const sameStart = point.startMs === previous.startMs;
      const delta = sameStart ? subtract(point.histogram, previous.histogram) : null;
      if (delta) return { fromMs: previous.timeMs, toMs: point.timeMs, histogram: delta, count: totalOf(delta) };
      resets += 1;
      // OpenTelemetry JS truncates a stream's start to the millisecond: a start in the millisecond of the
      // last point is after it.
      const knownStart = point.startMs > 0 && point.startMs < point.timeMs && point.startMs >= Math.floor(previous.timeMs);
      if (!sameStart && knownStart) return { fromMs: point.startMs, toMs: point.timeMs, histogram: point.histogram, count: totalOf(point.histogram) };
      return null;
    },
    stats: () => ({ streams: streams.size, resets }),
  };
}

export type CumulativeTracker = ReturnType<typeof createCumulativeTracker>;
