import { createHash } from 'node:crypto';
import type { CalleeSeries, ReportAuthority } from '@/lib/model/otlp/authority';
import { BoundedMap } from '@/lib/model/bounded-map';
import { observationsOf, type ExternalNodes, type Observation, type SecondsInMsBuckets } from '@/lib/model/otlp/observations';
import type { ExportMetricsRequest } from '@/lib/model/otlp/schema';
import { createCumulativeTracker, type CumulativeTrackerStats } from '@/lib/model/otlp/temporality';
import type { CallObservation, MetricsStore } from '../metrics-store/store';
import type { RegistryLookup } from '@/lib/model/otlp/peer';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64');

export interface MetricsIntakeOptions {
  /** The registry by address, service and instance, shared by metrics and traces (one index to keep). */
  registry: RegistryLookup;
  latency: Pick<MetricsStore, 'observe'>;
  now?: () => number;
  /** Cumulative streams remembered (one per instance × scope × metric × attribute set): ~0.3 KB each with a typical 16-bucket histogram, at most ~2 KB (200 buckets). */
  maxStreams?: number;
  streamTtlMs?: number;
  /** Who reports what (shared with the traces intake): the rule against double counting. */
  authority: ReportAuthority;
  /** The external node cap (shared with the traces intake). */
  externals: ExternalNodes;
  /** Where the one line per service sending seconds histograms with millisecond buckets goes. */
  log?: (line: string) => void;
}

/** Services sending seconds histograms with millisecond buckets, kept at most (one entry each, ~100 B). */
const MAX_MS_BUCKET_SERVICES = 1_000;

/** A service whose seconds histogram comes with millisecond-shaped bounds: what Diagnostics lists. */
export interface SecondsInMsBucketsSender {
  service: string;
  /** The first such metric seen from it. */
  metric: string;
  /** Data points of its such metrics received since it was first seen. */
  points: number;
  firstAt: number;
  lastAt: number;
}

/** The line logged once per service: what it sends, what that shows, and what to change. */
const msBucketsLine = ({ service, metric, bounds }: SecondsInMsBuckets): string =>
  `OTLP: ${service} sends ${metric} in seconds with buckets meant for milliseconds (${bounds[0]}, ${bounds[1]} … ${bounds.at(-1)}, like the OpenTelemetry SDKs' default, which an instrument advising none gets), ` +
  `so every call under ${bounds.find((bound) => bound > 0)} s lands in one bucket and its p50/p95/p99 read seconds whatever the latency. ` +
  "Create the histogram with the semantic conventions' seconds buckets [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]: " +
  'advice: { explicitBucketBoundaries } in createHistogram (JS), metric.WithExplicitBucketBoundaries (Go), or a View';

export interface IntakeOutcome {
  observed: number;
  rejected: number;
  /** Of the rejected, refused because the external node cap was reached. */
  externalOverflow: number;
  reason?: string;
}

/**
 * What the store records of one observation: server-side points feed the reporter's own series;
 * client-side points feed the edge reporter → callee, and the callee's series only while it does
 * not report the calls it receives itself (`ReportAuthority.calleeSeries`). Undefined for a client point without a callee.
 */
function callOf({ reporter, side, callee, startSecond, intervalSeconds, count, errors, bounds, counts }: Observation, calleeSeries: (service: string, instance: string | undefined) => CalleeSeries): CallObservation | undefined {
  const call: CallObservation = { to: reporter.service, countsForCallee: true, startSecond, intervalSeconds, count, errors, bounds, counts };
  if (side === 'server') {
    if (reporter.instance) call.toInstance = reporter.instance;
    return call;
  }
  if (!callee) return undefined;
  call.from = reporter.service;
  call.to = callee.service;
  const instance = callee.external ? undefined : callee.instance || undefined;
  const feeds = calleeSeries(callee.service, instance);
  if (instance && feeds === 'service and instance') call.toInstance = instance;
  call.countsForCallee = feeds !== 'none';
  return call;
}

/** The OTLP metrics intake (createMetricsIntake). */
export interface MetricsIntake {
  /** Records one decoded `POST /v1/metrics` request; what it observed and rejected, and why. */
  accept(request: ExportMetricsRequest): IntakeOutcome;
  /**
   * Which of the callee's series a caller's report of calls to `service` (`instance` when it names
   * one) feeds (`ReportAuthority.calleeSeries`), for the calls of one report: the clock is read once.
   */
  calleeSeries(): (service: string, instance: string | undefined) => CalleeSeries;
  /** Services sending seconds histograms with millisecond buckets, first seen first (their calls are recorded as sent). */
  secondsInMsBuckets(): SecondsInMsBucketsSender[];
  /** The cumulative tracker's counters, and the points the store refused (more than a day from its clock). */
  stats(): CumulativeTrackerStats & { unanchored: number };
}

/**
 * OTLP metrics into the metrics store, through its one recording path. Rule against double
 * counting: server-side metrics feed the reporter's own service and instance series; client-side
 * metrics always feed the edge reporter → callee, and feed the callee's series only while the
 * callee does not report the calls it receives itself (server metrics or server spans).
 */
export function createMetricsIntake(options: MetricsIntakeOptions): MetricsIntake {
  const now = options.now ?? Date.now;
  const cumulative = createCumulativeTracker({ now, maxStreams: options.maxStreams ?? 50_000, ttlMs: options.streamTtlMs ?? 15 * 60_000, digest: sha256 });
  const { authority, externals } = options;
  const { registry } = options;
  let unanchored = 0;
  const log = options.log ?? (() => undefined);
  const msBucketSenders = new BoundedMap<string, SecondsInMsBucketsSender>(MAX_MS_BUCKET_SERVICES);

  return {
    accept(request: ExportMetricsRequest): IntakeOutcome {
      const result = observationsOf(request, { registry, cumulative, externals });
      const at = now();
      // Marked once per service and edge of the request, before any is recorded: the request's own server metrics decide its callers' client points.
      const marked = new Set<string>();
      for (const { side, reporter, callee } of result.observations) {
        const mark = side === 'server' ? `server ${reporter.service}` : callee ? `client ${reporter.service}\u0000${callee.service}` : undefined;
        if (mark === undefined || marked.has(mark)) continue;
        marked.add(mark);
        if (side === 'server') authority.markServerMetrics(reporter.service, at);
        else if (callee) authority.markClientMetrics(reporter.service, callee.service, at);
      }
      for (const sent of result.secondsInMsBuckets) {
        const sender = msBucketSenders.get(sent.service);
        if (sender) {
          sender.points += sent.points;
          sender.lastAt = at;
          continue;
        }
        msBucketSenders.set(sent.service, { service: sent.service, metric: sent.metric, points: sent.points, firstAt: at, lastAt: at });
        log(msBucketsLine(sent));
      }
      let observed = 0;
      let rejected = result.rejected;
      let reason = result.reason;
      for (const observation of result.observations) {
        const call = callOf(observation, (service, instance) => authority.calleeSeries(service, instance, at, registry));
        if (!call) continue;
        if (options.latency.observe(call)) {
          observed += 1;
        } else {
          unanchored += 1;
          rejected += 1;
          reason ??= 'data point time is more than a day from the server clock';
        }
      }
      return { observed, rejected, externalOverflow: result.externalOverflow, ...(reason ? { reason } : {}) };
    },
    calleeSeries(): (service: string, instance: string | undefined) => CalleeSeries {
      const at = now();
      return (service, instance) => authority.calleeSeries(service, instance, at, registry);
    },
    secondsInMsBuckets: () => [...msBucketSenders.values()].map((sender) => ({ ...sender })),
    stats: () => ({ ...cumulative.stats(), unanchored }),
  };
}
