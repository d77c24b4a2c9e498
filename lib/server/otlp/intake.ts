import { createReportAuthority, type ReportAuthority } from '@/lib/model/otlp/authority';
import { createExternalNodes } from '@/lib/model/otlp/externals';
import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store/store';
import { createInFlightLimit, type InFlightLimit } from './in-flight';
import { createMetricsIntake, type MetricsIntake } from './metrics-intake';
import { createRegistryLookup, type DepartureChecked } from './registry-lookup';
import { createTracesIntake, type TracesIntake } from './traces-intake';

/** OTLP requests decoded at once; a request takes its place once its body is whole (`receiveProgramBody`) and holds it to its reply. */
export const MAX_OTLP_IN_FLIGHT = 16;
/**
 * OTLP requests waiting for a place, beyond which they are refused (429): each holds its whole body,
 * so the bytes waiting are bounded too (`MAX_RECEIVED_BYTES` in `body-reception.ts`, shared with
 * ingest), and a fleet of 5,000 instances sending both signals every 10 s (1,000 exports a second)
 * rides out a stall of ~250 ms without a refusal.
 */
export const MAX_OTLP_WAITING = 256;
/** Distinct nodes outside the registry (external callees, unregistered reporters, queues, databases) shown at once. */
export const MAX_EXTERNAL_NODES = 200;
const EXTERNAL_TTL_MS = 15 * 60_000;
/** What a service reported this recently decides who counts a call (lib/model/otlp/authority.ts). */
const REPORT_WINDOW_MS = 5 * 60_000;

export interface OtlpIntakeOptions {
  store: Pick<Store, 'instances' | 'subscribe'>;
  latency: Pick<MetricsStore, 'observe'>;
  now?: () => number;
  /** The lost tracker's `checksDeparture`: a departed instance is named by its address while its departure is judged. */
  departureChecked?: DepartureChecked;
  maxExternalNodes?: number;
  pairTtlMs?: number;
  /** The runtime's log: one line per service and metric sending a duration histogram with buckets in the other unit. */
  log?: (line: string) => void;
}

/** The OpenTelemetry intake (`POST /v1/metrics`, `POST /v1/traces`) and what the console shows of it. */
export interface OtlpIntake {
  /** Cumulative OTLP metric streams turned into calls. */
  metrics: MetricsIntake;
  /** Client/server span pairs turned into calls. */
  traces: TracesIntake;
  /** OTLP requests decoded at once. */
  inFlight: InFlightLimit;
  /** External nodes now, the cap, and how many new names the cap refused (diagnostics). */
  externalNodes(): { nodes: number; refused: number; cap: number };
  /** Counters of every part, for tests and benchmarks. */
  stats(): OtlpIntakeStats;
}

/** Each part's own counters, as that part defines them. */
type OtlpIntakeStats = ReturnType<MetricsIntake['stats']> &
  ReturnType<ReportAuthority['stats']> & { spans: ReturnType<TracesIntake['stats']>; externalNodes: { nodes: number; refused: number }; requests: ReturnType<InFlightLimit['stats']> };

/** The OpenTelemetry intake of one runtime: metrics and traces share the external node cap and the double-count rule. */
export function createOtlpIntake(options: OtlpIntakeOptions): OtlpIntake {
  const now = options.now ?? Date.now;
  const externalCap = options.maxExternalNodes ?? MAX_EXTERNAL_NODES;
  const externals = createExternalNodes({ now, cap: externalCap, ttlMs: EXTERNAL_TTL_MS });
  const authority = createReportAuthority({ windowMs: REPORT_WINDOW_MS, maxServices: 10_000, maxEdges: 10_000 });
  const shared = { registry: createRegistryLookup(options.store, { now, ...(options.departureChecked ? { departureChecked: options.departureChecked } : {}) }), latency: options.latency, now, authority, externals };
  const metrics = createMetricsIntake({ ...shared, ...(options.log ? { log: options.log } : {}) });
  const traces = createTracesIntake({ ...shared, ...(options.pairTtlMs !== undefined ? { pairTtlMs: options.pairTtlMs } : {}) });
  const inFlight = createInFlightLimit(MAX_OTLP_IN_FLIGHT, { maxWaiting: MAX_OTLP_WAITING });
  return {
    metrics,
    traces,
    inFlight,
    /** External nodes now, the cap, and how many new names the cap refused. */
    externalNodes: () => ({ ...externals.stats(), cap: externalCap }),
    stats: () => ({ ...metrics.stats(), spans: traces.stats(), externalNodes: externals.stats(), ...authority.stats(), requests: inFlight.stats() }),
  };
}

