import { createExternalNodes } from '@/lib/model/otlp/externals';
import { observationsOf } from '@/lib/model/otlp/observations';
import type { ExportMetricsRequest } from '@/lib/model/otlp/schema';
import { createCumulativeTracker } from '@/lib/model/otlp/temporality';
import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store/store';
import { createRegistryLookup } from './registry-lookup';

export interface MetricsIntakeOptions {
  store: Pick<Store, 'instances' | 'revision' | 'instanceCount'>;
  latency: Pick<MetricsStore, 'observe'>;
  now?: () => number;
  /** Cumulative streams remembered (one per instance × scope × metric × attribute set): ~0.3 KB each with a typical 16-bucket histogram, at most ~2 KB (200 buckets). */
  maxStreams?: number;
  streamTtlMs?: number;
  /** Distinct callees outside the registry shown as external nodes. */
  maxExternalNodes?: number;
  externalTtlMs?: number;
}

export interface IntakeOutcome {
  observed: number;
  rejected: number;
  /** Of the rejected, refused because the external node cap was reached. */
  externalOverflow: number;
  reason?: string;
}

/** Server-side duration metrics from a service this recently make its own series authoritative. */
const SERVER_REPORT_TTL_MS = 5 * 60_000;
const MAX_SERVER_REPORTERS = 10_000;

/**
 * OTLP metrics into the metrics store, through its one recording path. Rule against double
 * counting: server-side metrics feed the reporter's own service and instance series; client-side
 * metrics always feed the edge reporter → callee, and feed the callee's series only while the
 * callee does not report server-side metrics itself. Ingest reports follow the same rule
 * (`reportsServerSide`, asked by the ingest endpoint), so a mixed fleet counts a call once.
 */
export function createMetricsIntake(options: MetricsIntakeOptions) {
  const now = options.now ?? Date.now;
  const cumulative = createCumulativeTracker({ now, maxStreams: options.maxStreams ?? 50_000, ttlMs: options.streamTtlMs ?? 15 * 60_000 });
  const externals = createExternalNodes({ now, cap: options.maxExternalNodes ?? 200, ttlMs: options.externalTtlMs ?? 15 * 60_000 });
  const registry = createRegistryLookup(options.store);
  const serverReporters = new Map<string, number>();
  let unanchored = 0;

  const reportsServerSide = (service: string, at: number): boolean => {
    const seen = serverReporters.get(service);
    return seen !== undefined && at - seen < SERVER_REPORT_TTL_MS;
  };
  const markServerSide = (service: string, at: number): void => {
    serverReporters.delete(service);
    serverReporters.set(service, at);
    if (serverReporters.size > MAX_SERVER_REPORTERS) {
      const oldest = serverReporters.keys().next().value;
      if (oldest !== undefined) serverReporters.delete(oldest);
    }
  };

  return {
    accept(request: ExportMetricsRequest): IntakeOutcome {
      const result = observationsOf(request, { registry: registry(), cumulative, externals });
      const at = now();
      for (const observation of result.observations) if (observation.side === 'server') markServerSide(observation.reporter.service, at);
      let observed = 0;
      let rejected = result.rejected;
      let reason = result.reason;
      for (const { reporter, side, callee, ...calls } of result.observations) {
        const target =
          side === 'server'
            ? { to: reporter.service, ...(reporter.instance ? { toInstance: reporter.instance } : {}), countsForCallee: true }
            : callee && {
                from: reporter.service,
                to: callee.service,
                ...(!callee.external && callee.instance ? { toInstance: callee.instance } : {}),
                countsForCallee: !reportsServerSide(callee.service, at),
              };
        if (!target) continue;
        if (options.latency.observe({ ...target, ...calls })) {
          observed += 1;
        } else {
          unanchored += 1;
          rejected += 1;
          reason ??= 'data point time is more than a day from the server clock';
        }
      }
      return { observed, rejected, externalOverflow: result.externalOverflow, ...(reason ? { reason } : {}) };
    },
    /** Whether `service` reports server-side metrics itself: then a caller's report (OTLP or ingest) feeds only the edge. */
    reportsServerSide: (service: string): boolean => reportsServerSide(service, now()),
    stats: () => ({ ...cumulative.stats(), externalNodes: externals.stats(), unanchored }),
  };
}

export type MetricsIntake = ReturnType<typeof createMetricsIntake>;
