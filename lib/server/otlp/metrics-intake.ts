import { createHash } from 'node:crypto';
import type { CalleeSeries, ReportAuthority } from '@/lib/model/otlp/authority';
import { observationsOf, type ExternalNodes, type MalformedPoint, type Observation } from '@/lib/model/otlp/observations';
import type { ExportMetricsRequest } from '@/lib/model/otlp/schema';
import { createCumulativeTracker, type CumulativeTrackerStats } from '@/lib/model/otlp/temporality';
import type { CallObservation, MetricsStore } from '../metrics-store/store';
import type { RegistryLookup } from '@/lib/model/otlp/peer';
import type { BucketsInOtherUnit, BucketsInOtherUnitHistogram, BucketsInOtherUnitList } from '@/lib/model/otlp/buckets-in-other-unit';

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
  /** Where the one line per service and metric sending a duration histogram with buckets in the other unit goes. */
  log?: (line: string) => void;
}

/**
 * Histograms with buckets in the other unit listed at most; past it none is added. An entry holds a
 * service.name (up to 4,096 characters, 8 KiB) and a metric name (256): ~9 MiB at most in all.
 */
export const MAX_BUCKETS_IN_OTHER_UNIT = 1_000;

/** The seconds buckets the semantic conventions advise for HTTP and RPC durations. */
const SECONDS_BUCKETS = '[0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]';

/** The line logged once per service and metric: what it sends, what that shows, and what to change. */
const otherUnitLine = ({ service, metric, unit, smallestPositiveBound, largestBound }: BucketsInOtherUnit): string =>
  unit === 's'
    ? `OTLP: ${service} sends ${metric} in seconds with buckets meant for milliseconds (${smallestPositiveBound} … ${largestBound}, like the OpenTelemetry SDKs' default, which an instrument advising none gets), ` +
      `so every call under ${smallestPositiveBound} s lands in one bucket and its p50/p95/p99 read within it whatever the latency. ` +
      `Create the histogram with the semantic conventions' seconds buckets ${SECONDS_BUCKETS}: ` +
      'advice: { explicitBucketBoundaries } in createHistogram (JS), metric.WithExplicitBucketBoundaries (Go), or a View'
    : `OTLP: ${service} sends ${metric} in milliseconds with buckets meant for seconds (largest ${largestBound}), ` +
      `so every call over ${largestBound} ms lands in the overflow bucket and its percentiles above that cannot be told. ` +
      "Record seconds under the current name with unit 's' (http.server.request.duration, rpc.server.call.duration …), " +
      'or give this histogram millisecond buckets (the SDK default 0, 5, 10 … 10000: drop the advice or View that set these)';

/** The line logged once when the list is full. */
const listFullLine = (): string =>
  `OTLP: ${MAX_BUCKETS_IN_OTHER_UNIT.toLocaleString('en')} histograms with buckets in the other unit are listed on Diagnostics; ` +
  'further ones are counted there (points not listed), not listed or logged, until Switchyard restarts';

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
  /** Duration histograms sent with buckets in the other unit, by service and metric, first seen first (their calls are recorded as sent). */
  bucketsInOtherUnit(): BucketsInOtherUnitList;
  /** Histogram points refused since start because their buckets cannot be read (bounds not strictly increasing finite numbers, bucket counts not one more than the bounds, a count below zero), and the last one. */
  malformedHistograms(): { points: number; last?: MalformedPoint };
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
  // By service, then metric (the entry shares the name strings); never evicted: an evicted one would be logged again at its next export.
  const otherUnit = new Map<string, Map<string, BucketsInOtherUnitHistogram>>();
  let otherUnitListed = 0;
  let unlistedPoints = 0;
  let malformedPoints = 0;
  let lastMalformed: MalformedPoint | undefined;

  return {
    accept(request: ExportMetricsRequest): IntakeOutcome {
      const result = observationsOf(request, { registry, cumulative, externals });
      malformedPoints += result.malformedPoints;
      lastMalformed = result.lastMalformed ?? lastMalformed;
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
      for (const sent of result.bucketsInOtherUnit) {
        const ofService = otherUnit.get(sent.service);
        const listed = ofService?.get(sent.metric);
        if (listed) {
          Object.assign(listed, { ...sent, points: listed.points + sent.points, lastAt: at });
        } else if (otherUnitListed < MAX_BUCKETS_IN_OTHER_UNIT) {
          otherUnitListed += 1;
          const metrics = ofService ?? new Map<string, BucketsInOtherUnitHistogram>();
          if (!ofService) otherUnit.set(sent.service, metrics);
          metrics.set(sent.metric, { ...sent, firstAt: at, lastAt: at });
          log(otherUnitLine(sent));
        } else {
          if (unlistedPoints === 0) log(listFullLine());
          unlistedPoints += sent.points;
        }
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
    bucketsInOtherUnit: () => ({ histograms: [...otherUnit.values()].flatMap((metrics) => [...metrics.values()].map((histogram) => ({ ...histogram }))), cap: MAX_BUCKETS_IN_OTHER_UNIT, unlistedPoints }),
    malformedHistograms: () => (lastMalformed ? { points: malformedPoints, last: { ...lastMalformed } } : { points: malformedPoints }),
    stats: () => ({ ...cumulative.stats(), unanchored }),
  };
}
