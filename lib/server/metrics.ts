import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApiAdmissionStats, ApiRefusal } from './api-admission/admission';
import type { BodyReceptionStats } from './body-reception';
import type { RegistryTarget } from './store/store';

/** What the OTLP intake tells the metrics (lib/server/otlp/intake.ts). */
interface OtlpSource {
  externalNodes(): { nodes: number; refused: number; cap: number };
  traces: { stats(): { waiting: number; paired: number; expired: number; pushedOut: number; serversAlone: number; unattributed: number } };
  inFlight: { stats(): { inFlight: number; waiting: number; refused: number } };
}

/** Counts of an OTLP request's points or spans by outcome. */
type OtlpOutcome = { observed: number; rejected: number; externalOverflow: number };

/** The `reason` label of each API refusal: a fixed set, never a client's identity. */
const REFUSAL_REASON: Record<ApiRefusal, string> = { client: 'client_queue_full', total: 'total_queue_full' };

/** Prometheus metrics of one runtime and the counters the runtime's parts bump. */
export interface Metrics {
  /** The registry `GET /metrics` renders (its text and content type). */
  registry: Registry;
  counters: {
    watchEvents(count: number): void;
    relists(): void;
    ingested(calls: number, reanchored: boolean): void;
    otlpPoints(outcome: OtlpOutcome): void;
    otlpSpans(outcome: OtlpOutcome): void;
    /** A live socket disconnected as a slow consumer (docs/ARCHITECTURE "Live updates"). */
    slowConsumers(): void;
  };
  /** The OTLP intake whose external node count the gauges report (created after the metrics). */
  watchOtlp(source: OtlpSource): void;
  /** The program endpoints' body places (ingest, OTLP) whose counts the gauges report. */
  watchBodies(source: { stats(): BodyReceptionStats }): void;
  /** The API's admission (lib/server/api-admission/) whose places and refusals the metrics report. */
  watchApi(source: { stats(): ApiAdmissionStats }): void;
  /** Browser Socket.IO connections open now. */
  socketsConnected: Gauge;
}

/**
 * The process's own metrics (CPU, memory, event loop lag, GC), collected once per process: each
 * collection starts an event-loop delay monitor and a GC observer that nothing stops, and tests
 * start several runtimes in one process. Every runtime's registry reports these same metrics, so
 * runtimes in one process share one event-loop delay histogram, which prom-client resets at each
 * collection: scraping one runtime resets the lag's min, max, mean, stddev and percentiles that
 * another runtime's next scrape reports. Production runs one runtime per process.
 */
let processMetrics: Registry | undefined;
const processRegistry = (): Registry => {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: 'switchyard_process_' });
  }
  return processMetrics;
};

/** Prometheus metrics for one runtime; a registry per runtime so tests can run several. */
export function createMetrics(store: Pick<RegistryTarget, 'instanceCount' | 'registryStatus'>): Metrics {
  // A registry of its own, starting with the process's metrics (the same objects, not copies).
  const registry = Registry.merge([processRegistry()]);
  const watchEvents = new Counter({ name: 'switchyard_watch_events_total', help: 'etcd watch events received', registers: [registry] });
  const relists = new Counter({ name: 'switchyard_relists_total', help: 'Full listings of the watched keyspace (start, outages, compaction)', registers: [registry] });
  const ingestedCalls = new Counter({ name: 'switchyard_ingested_calls_total', help: 'Call statistics accepted by POST /api/v1/ingest/calls', registers: [registry] });
  const ingestReanchored = new Counter({ name: 'switchyard_ingest_reanchored_total', help: 'Ingest batches whose reporter clock was off by more than 30 s', registers: [registry] });
  const otlpPoints = new Counter({ name: 'switchyard_otlp_points_total', help: 'OTLP duration data points by outcome: observed, rejected (partial_success), external_cap (rejected: the external node cap was reached)', labelNames: ['outcome'], registers: [registry] });
  const otlpSpans = new Counter({ name: 'switchyard_otlp_spans_total', help: 'OTLP spans by outcome: observed, rejected (partial_success), external_cap (rejected: the external node cap was reached)', labelNames: ['outcome'], registers: [registry] });
  let otlpSource: OtlpSource | undefined;
  new Gauge({
    name: 'switchyard_otlp_external_nodes',
    help: 'Nodes outside the registry named by OTLP metrics and spans (external callees, unregistered reporters, queues, databases), held within the cap',
    registers: [registry],
    collect() {
      if (otlpSource) this.set(otlpSource.externalNodes().nodes);
    },
  });
  new Gauge({
    name: 'switchyard_otlp_external_nodes_refused',
    help: 'New external node names refused because the cap was reached, since start',
    registers: [registry],
    collect() {
      if (otlpSource) this.set(otlpSource.externalNodes().refused);
    },
  });
  new Gauge({
    name: 'switchyard_otlp_span_pairing',
    help: 'Client/server span pairing since start: paired (pairs made), expired (spans alone past the TTL), pushed_out (spans alone over the cap), server_alone (of those, server spans whose client span never came: lost, sent to another replica, or a caller that passes traceparent on without exporting, such as an ingress; no edge drawn), unattributed (of those, client spans naming no callee); waiting: spans waiting now',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      if (!otlpSource) return;
      const { waiting, paired, expired, pushedOut, serversAlone, unattributed } = otlpSource.traces.stats();
      this.set({ outcome: 'waiting' }, waiting);
      this.set({ outcome: 'paired' }, paired);
      this.set({ outcome: 'expired' }, expired);
      this.set({ outcome: 'pushed_out' }, pushedOut);
      this.set({ outcome: 'server_alone' }, serversAlone);
      this.set({ outcome: 'unattributed' }, unattributed);
    },
  });
  new Gauge({
    name: 'switchyard_otlp_requests',
    help: 'OTLP requests: in_flight (holding one of the intake\'s places now), waiting (for a place now), refused (429 since start: every place and the wait were taken)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!otlpSource) return;
      const { inFlight, waiting, refused } = otlpSource.inFlight.stats();
      this.set({ state: 'in_flight' }, inFlight);
      this.set({ state: 'waiting' }, waiting);
      this.set({ state: 'refused' }, refused);
    },
  });
  const slowConsumers = new Counter({ name: 'switchyard_live_slow_consumers_total', help: 'Live sockets disconnected for leaving more than the bound of what they were sent unread', registers: [registry] });
  let bodiesSource: { stats(): BodyReceptionStats } | undefined;
  new Gauge({
    name: 'switchyard_request_bodies',
    help: 'Ingest and OTLP request bodies: held (now, from first byte to reply), receiving (of those, still arriving), held_bytes (bytes of those received and not yet answered), refused_busy (429 since start: too many arriving, or too many bytes waiting), refused_principal (429 since start: the token had its share arriving), dropped_slow (408 since start: arriving below the minimum rate)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!bodiesSource) return;
      const { held, receiving, heldBytes, refusedBusy, refusedPrincipal, droppedSlow } = bodiesSource.stats();
      this.set({ state: 'held' }, held);
      this.set({ state: 'receiving' }, receiving);
      this.set({ state: 'held_bytes' }, heldBytes);
      this.set({ state: 'refused_busy' }, refusedBusy);
      this.set({ state: 'refused_principal' }, refusedPrincipal);
      this.set({ state: 'dropped_slow' }, droppedSlow);
    },
  });
  let apiSource: { stats(): ApiAdmissionStats } | undefined;
  new Counter({
    name: 'switchyard_api_requests_refused_total',
    help: 'API requests refused before Next since start, by reason: client_queue_full (429: the client had its requests in progress and waiting), total_queue_full (503: all clients together filled the places and the wait)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      if (!apiSource) return;
      const { refused } = apiSource.stats();
      // Set from the admission's own count (Diagnostics shows the same numbers); reset, since a counter can only be increased.
      this.reset();
      this.inc({ reason: REFUSAL_REASON.client }, refused.client);
      this.inc({ reason: REFUSAL_REASON.total }, refused.total);
    },
  });
  new Gauge({
    name: 'switchyard_api_requests',
    help: 'API requests: in_flight (holding one of the places now), waiting (for a place now)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      if (!apiSource) return;
      const { inFlight, waiting } = apiSource.stats();
      this.set({ state: 'in_flight' }, inFlight);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  const socketsConnected = new Gauge({ name: 'switchyard_sockets_connected', help: 'Browser Socket.IO connections open now', registers: [registry] });
  new Gauge({
    name: 'switchyard_instances_known',
    help: 'Instances decoded from the registry',
    registers: [registry],
    collect() {
      this.set(store.instanceCount());
    },
  });
  new Gauge({
    name: 'switchyard_registry_synced',
    help: '1 when the registry view is in sync with etcd, else 0',
    registers: [registry],
    collect() {
      this.set(store.registryStatus().state === 'synced' ? 1 : 0);
    },
  });
  return {
    registry,
    counters: {
      watchEvents: (count: number) => watchEvents.inc(count),
      relists: () => relists.inc(),
      ingested: (calls: number, reanchored: boolean) => {
        ingestedCalls.inc(calls);
        if (reanchored) ingestReanchored.inc();
      },
      otlpPoints: (outcome: OtlpOutcome) => {
        if (outcome.observed > 0) otlpPoints.inc({ outcome: 'observed' }, outcome.observed);
        if (outcome.rejected > 0) otlpPoints.inc({ outcome: 'rejected' }, outcome.rejected);
        if (outcome.externalOverflow > 0) otlpPoints.inc({ outcome: 'external_cap' }, outcome.externalOverflow);
      },
      otlpSpans: (outcome: OtlpOutcome) => {
        if (outcome.observed > 0) otlpSpans.inc({ outcome: 'observed' }, outcome.observed);
        if (outcome.rejected > 0) otlpSpans.inc({ outcome: 'rejected' }, outcome.rejected);
        if (outcome.externalOverflow > 0) otlpSpans.inc({ outcome: 'external_cap' }, outcome.externalOverflow);
      },
      slowConsumers: () => slowConsumers.inc(),
    },
    /** The OTLP intake whose external node count the gauges report (created after the metrics). */
    watchOtlp: (source: OtlpSource) => {
      otlpSource = source;
    },
    watchBodies: (source) => {
      bodiesSource = source;
    },
    watchApi: (source) => {
      apiSource = source;
    },
    socketsConnected,
  };
}

