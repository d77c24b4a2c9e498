import { createHash } from 'node:crypto';
import type { CalleeSeries, ReportAuthority } from '@/lib/model/otlp/authority';
import { observationsOf, type ExternalNodes, type Observation } from '@/lib/model/otlp/observations';
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
}

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
    stats: () => ({ ...cumulative.stats(), unanchored }),
  };
}
