import { MAX_INTERVAL_SECONDS } from '../ingest';
import { explicitBucketsProblem, exponentialBucketsProblem, looksLikeMilliseconds, looksLikeSeconds, toMsBuckets, totalOf, type NativeHistogram } from './histogram';
import { DURATION_METRICS, msPerUnit, type DurationMetric } from './names';
import { calleeOf, isError, reporterInstanceOf, type RegistryLookup } from './peer';
import type { BucketsInOtherUnit } from './buckets-in-other-unit';
import { attributeText, type Attributes, type ExportMetricsRequest, type OtlpMetric } from './schema';
import { collectionsOf, type CumulativeTracker, type MetricCollections, type StreamScope } from './temporality';

const DELTA = 1;
const MS_PER_SECOND = 1_000;
const CUMULATIVE = 2;

/** Calls one data point stands for, attributed: what the metrics store records. */
export interface Observation {
  /** The reporting service (resource `service.name`) and instance (`service.instance.id`). */
  reporter: { service: string; instance?: string };
  side: 'server' | 'client';
  /** For client metrics: who was called. */
  callee?: { service: string; instance?: string; external: boolean };
  startSecond: number;
  intervalSeconds: number;
  count: number;
  errors: number;
  bounds: number[];
  counts: number[];
}

/** Admits an external node's name, within a cardinality cap. */
export interface ExternalNodes {
  admit(name: string): boolean;
}

export interface MappingContext {
  registry: RegistryLookup;
  cumulative: CumulativeTracker;
  externals: ExternalNodes;
}

export interface MappingResult {
  observations: Observation[];
  /** Duration points refused, with the first reason (OTLP `partial_success`). */
  rejected: number;
  reason?: string;
  /** Of those, refused because the external node cap was reached. */
  externalOverflow: number;
  /** Of those, refused because their buckets cannot be read (`explicitBucketsProblem`, `exponentialBucketsProblem`), and the last such. */
  malformedPoints: number;
  lastMalformed?: MalformedPoint;
  /**
   * Duration histograms whose bounds look like the other unit's: in seconds with millisecond bounds
   * (`looksLikeMilliseconds`), in ms with seconds bounds (`looksLikeSeconds`). One per reporter and
   * metric of the request with a point recorded; their calls are recorded as sent.
   */
  bucketsInOtherUnit: BucketsInOtherUnit[];
}

/** Explicit bounds that look like the other unit's, else undefined. Read from the first point of a metric that passes `explicitBucketsProblem` (an instrument's points share their bounds). */
function otherUnitOf(bounds: readonly number[], factor: number): Omit<BucketsInOtherUnit, 'service' | 'metric' | 'points'> | undefined {
  const unit = factor === MS_PER_SECOND && looksLikeMilliseconds(bounds) ? 's' : factor === 1 && looksLikeSeconds(bounds) ? 'ms' : undefined;
  if (unit === undefined) return undefined;
  return { unit, smallestPositiveBound: bounds.find((bound) => bound > 0) ?? 0, largestBound: bounds.at(-1) ?? 0 };
}

/** One attribute, self-delimiting (lengths before texts), so a list of them joined is unambiguous. */
function attributeKey({ key, value }: Attributes[number]): string {
  let text: string;
  if (value === undefined) text = '-';
  else if (value.stringValue !== undefined) text = `s${value.stringValue.length}:${value.stringValue}`;
  else if (value.intValue !== undefined) text = `i${value.intValue}`;
  else if (value.boolValue !== undefined) text = `b${value.boolValue}`;
  else if (value.doubleValue !== undefined) text = `d${value.doubleValue}`;
  else text = '?';
  return `${key.length}:${key}${text};`;
}

/** An attribute set in a canonical order (the same set in any order is the same stream). */
function attributesKey(attributes: Attributes): string {
  if (attributes.length === 1) return attributeKey(attributes[0] as Attributes[number]);
  return attributes.map(attributeKey).sort().join('');
}

/** The part of a stream's identity shared by every point of one resource and scope. */
const scopeKey = (resource: Attributes, scope: { name: string; version: string }): string =>
  `${resource.length}[${attributesKey(resource)}]${scope.name.length}:${scope.name}${scope.version.length}:${scope.version}`;

/** A stream: resource + scope (by its scope's `id`, ending in a non-digit) + metric name + the point's attributes. */
const streamKey = (scope: string, name: string, attributes: Attributes): string => `${scope}${name.length}:${name}${attributes.length}[${attributesKey(attributes)}]`;

/** A point refused for its buckets: whose, and why. */
export interface MalformedPoint {
  service: string;
  metric: string;
  reason: string;
}

interface RawPoint {
  attributes: Attributes;
  startMs: number;
  timeMs: number;
  histogram: NativeHistogram;
}

function pointsOf(metric: OtlpMetric): { temporality: number; points: RawPoint[] } | undefined {
  const ms = (nanos: number): number => nanos / 1e6;
  if (metric.histogram) {
    return {
      temporality: metric.histogram.aggregationTemporality,
      points: metric.histogram.dataPoints.map((p) => ({
        attributes: p.attributes,
        startMs: ms(p.startTimeUnixNano),
        timeMs: ms(p.timeUnixNano),
        // No bucket counts (OTLP allows it): one bucket of unknown durations, which `toMsBuckets` cannot place.
        histogram: p.bucketCounts.length > 0 ? { kind: 'explicit', bounds: p.explicitBounds, counts: p.bucketCounts } : { kind: 'explicit', bounds: [], counts: [p.count] },
      })),
    };
  }
  if (metric.exponentialHistogram) {
    return {
      temporality: metric.exponentialHistogram.aggregationTemporality,
      points: metric.exponentialHistogram.dataPoints.map((p) => ({
        attributes: p.attributes,
        startMs: ms(p.startTimeUnixNano),
        timeMs: ms(p.timeUnixNano),
        histogram: { kind: 'exponential', scale: p.scale, offset: p.positive.offset, counts: p.positive.bucketCounts, zeroCount: p.zeroCount, zeroThreshold: p.zeroThreshold },
      })),
    };
  }
  return undefined;
}

/**
 * OTLP metrics → attributed call observations. Only the HTTP/RPC duration histograms are read
 * (everything else is ignored, not refused); a duration point Switchyard cannot use is refused with
 * a reason, counted in `rejected`.
 */
export function observationsOf(request: ExportMetricsRequest, context: MappingContext): MappingResult {
  const result: MappingResult = { observations: [], rejected: 0, externalOverflow: 0, malformedPoints: 0, bucketsInOtherUnit: [] };
  const refuse = (points: number, reason: string): void => {
    result.rejected += points;
    result.reason ??= reason;
  };
  for (const { resource, scopeMetrics } of request.resourceMetrics) {
    const service = attributeText(resource.attributes, 'service.name');
    const instance = attributeText(resource.attributes, 'service.instance.id');
    /**
     * Whether the reporter may be a node (registered, or within the external cap): asked once per
     * resource, at its first duration point that passes the bucket check (a sender whose points are
     * all refused takes no place).
     */
    let admitted: boolean | undefined;
    for (const { scope, metrics } of scopeMetrics) {
      let streamScope: StreamScope | undefined;
      for (const metric of metrics) {
        const known = DURATION_METRICS.get(metric.name);
        const raw = known ? pointsOf(metric) : undefined;
        if (!known || !raw) continue;
        if (!service) {
          refuse(raw.points.length, 'resource has no service.name attribute');
          continue;
        }
        const factor = msPerUnit(metric.unit, known);
        if (factor === undefined) {
          refuse(raw.points.length, `${metric.name}: unit "${metric.unit}" is not a duration`);
          continue;
        }
        if (raw.temporality !== DELTA && raw.temporality !== CUMULATIVE) {
          refuse(raw.points.length, `${metric.name}: aggregation temporality unspecified`);
          continue;
        }
        // The bounds of the metric's first point that passes the check decide the other unit: an instrument's points share them.
        let readBounds: readonly number[] | undefined;
        let notRefused = 0;
        let collections: MetricCollections | undefined;
        for (const point of raw.points) {
          // Refused before the cumulative tracker sees it: a broken point is no stream's baseline.
          const { histogram } = point;
          const problem = histogram.kind === 'explicit' ? explicitBucketsProblem(histogram.bounds, histogram.counts) : exponentialBucketsProblem(histogram.zeroCount, histogram.counts);
          if (problem) {
            refuse(1, `${metric.name}: ${problem}`);
            result.malformedPoints += 1;
            result.lastMalformed = { service, metric: metric.name, reason: problem };
            continue;
          }
          // A reporter the registry does not know is a node of its own: within the external cap.
          admitted ??= context.registry.hasService(service) || context.externals.admit(service);
          if (!admitted) {
            refuse(1, `${metric.name}: external node cap reached (reporter ${service} is not registered)`);
            result.externalOverflow += 1;
            continue;
          }
          if (histogram.kind === 'explicit') readBounds ??= histogram.bounds;
          // Tracked only once admitted: a sender refused whole holds no stream state.
          streamScope ??= context.cumulative.scope(scopeKey(resource.attributes, scope));
          if (raw.temporality === CUMULATIVE) collections ??= collectionsOf(streamScope, metric.name);
          const key = streamKey(streamScope.id, metric.name, point.attributes);
          const outcome = observe(point, { service, instance, known, factor, collections, key }, context);
          if (typeof outcome === 'string') {
            refuse(1, `${metric.name}: ${outcome}`);
            if (outcome.startsWith('external')) result.externalOverflow += 1;
          } else {
            notRefused += 1;
            if (outcome) result.observations.push(outcome);
          }
        }
        // Named after its points are checked: one refused (bounds not increasing …) is not recorded as sent.
        const otherUnit = readBounds && notRefused > 0 ? otherUnitOf(readBounds, factor) : undefined;
        if (otherUnit) result.bucketsInOtherUnit.push({ service, metric: metric.name, points: notRefused, ...otherUnit });
      }
    }
  }
  return result;
}

/** How a metric's points are read: who reports them, what they measure, and their stream's key. */
interface PointReading {
  service: string;
  instance: string | undefined;
  known: DurationMetric;
  factor: number;
  /** The metric's collections when it is cumulative. */
  collections: MetricCollections | undefined;
  key: string;
}

/** One point → its observation, null when it contributes nothing, or why it is refused. */
function observe(point: RawPoint, how: PointReading, context: MappingContext): Observation | null | string {
  if (!(point.timeMs > 0)) return 'data point has no timeUnixNano';
  let callee: Observation['callee'];
  if (how.known.side === 'client') {
    callee = calleeOf(point.attributes, context.registry);
    if (!callee) return 'client point names no callee (server.address, service.peer.name, peer.service, rpc.method)';
  }
  let increment: { fromMs: number; toMs: number; histogram: NativeHistogram } | null;
  if (how.collections) {
    increment = context.cumulative.accept(how.collections, how.key, { startMs: point.startMs, timeMs: point.timeMs, histogram: point.histogram });
  } else {
    increment = { fromMs: point.startMs > 0 ? point.startMs : point.timeMs - 1_000, toMs: point.timeMs, histogram: point.histogram };
  }
  // Asked after the stream is tracked: refused until a place frees, then unknown to the tracker, its
  // first point admitted would count whole, all it counted since the SDK's start (`bornSincePrior`).
  if (callee?.external && !context.externals.admit(callee.service)) return 'external node cap reached';
  if (!increment) return null;
  const count = totalOf(increment.histogram);
  if (count === 0) return null;
  const buckets = toMsBuckets(increment.histogram, how.factor);
  if (!buckets) return 'histogram has no bucket counts, or no bucket bound above 0 s: its durations are unknown';
  const intervalSeconds = Math.min(MAX_INTERVAL_SECONDS, Math.max(1, (increment.toMs - increment.fromMs) / 1_000));
  const reporter = how.known.side === 'server' ? reporterInstanceOf(point.attributes, how.service, how.instance, context.registry) : how.instance;
  const observation: Observation = {
    reporter: reporter ? { service: how.service, instance: reporter } : { service: how.service },
    side: how.known.side,
    startSecond: increment.toMs / 1_000 - intervalSeconds,
    intervalSeconds,
    count,
    errors: isError(point.attributes, how.known.protocol) ? count : 0,
    bounds: buckets.bounds,
    counts: buckets.counts,
  };
  if (callee) observation.callee = callee;
  return observation;
}
