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

interface Seen {
  point: StreamPoint;
  seenAt: number;
}

/**
 * Turns cumulative points into increments per stream (resource + scope + name + attributes), by the
 * data model's "Resets and Gaps" rules: the first point of a stream contributes nothing (we cannot
 * know what it already counted before we saw it); a new start time or a decreasing bucket is a
 * reset, after which the point contributes all it holds when its start is known and after what we
 * last saw (a restarted process: counted once, never doubled), else nothing.
 */
export function createCumulativeTracker(options: CumulativeTrackerOptions) {
  const streams = new Map<string, Seen>();
  let resets = 0;

  const forgetExpired = (now: number): void => {
    // Map order is least recently seen first, so expiry stops at the first live stream.
    for (const [key, seen] of streams) {
      if (now - seen.seenAt < options.ttlMs) break;
      streams.delete(key);
    }
  };

  return {
    accept(key: string, point: StreamPoint): Increment | null {
      const now = options.now();
      forgetExpired(now);
      const previous = streams.get(key)?.point;
      streams.delete(key);
      streams.set(key, { point, seenAt: now });
      if (streams.size > options.maxStreams) {
        const oldest = streams.keys().next().value;
        if (oldest !== undefined) streams.delete(oldest);
      }
      if (!previous) return null;
      if (point.timeMs <= previous.timeMs) {
        // A repeat or a late point: nothing new. Keep the newer one as the base.
        streams.set(key, { point: previous, seenAt: now });
        return null;
      }
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
