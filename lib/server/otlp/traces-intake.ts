import type { ReportAuthority } from '@/lib/model/otlp/authority';
import type { ExternalNodes } from '@/lib/model/otlp/observations';
import { createSpanPairing, type Pair, type ServerSide, type SpanPairingStats, type Unpaired } from '@/lib/model/otlp/span-pairing';
import { durationBucket, MAX_NODE_NAME, spanFact, type SpanFact, type SpanTiming } from '@/lib/model/otlp/spans';
import { attributeText } from '@/lib/model/otlp/schema';
import type { ExportTraceRequest } from '@/lib/model/otlp/trace-schema';
import type { CallObservation, MetricsStore } from '../metrics-store/store';
import type { IntakeOutcome } from './metrics-intake';
import type { RegistryLookup } from '@/lib/model/otlp/peer';

export interface TracesIntakeOptions {
  /** The registry by address, service and instance, shared by metrics and traces (one index to keep). */
  registry: RegistryLookup;
  latency: Pick<MetricsStore, 'observe'>;
  authority: ReportAuthority;
  externals: ExternalNodes;
  now?: () => number;
  /** Spans waiting for their other side (~0.4 KB each with what they name, measured: ~20 MB when full). */
  maxWaiting?: number;
  /**
   * How long a span waits for its other side. Each process's batch processor exports on its own
   * timer (the SDK default every 5 s; the demo's every 10 s), so the two sides of a call arrive up to
   * one batch delay apart.
   */
  pairTtlMs?: number;
}

/** A server span with a parent: one that waits for its client side (narrowed, not copied). */
const hasPairKey = (fact: Extract<SpanFact, { role: 'server' }>): fact is ServerSide => fact.pairKey !== undefined;

/** One call in the middle bucket of its duration's `[lower, upper]`: the same frozen list for every span. */
const ONE_CALL: readonly number[] = Object.freeze([0, 1, 0]);

/** A span's call as a one-call histogram (its duration's bucket) landing in the second it ended, on the edge or series `to`. */
function callOf(to: string, timing: SpanTiming, countsForCallee: boolean): CallObservation {
  return { to, countsForCallee, startSecond: Math.floor(timing.endMs / 1_000), intervalSeconds: 1, count: 1, errors: timing.error ? 1 : 0, bounds: durationBucket(timing.durationMs).bounds, counts: ONE_CALL };
}

/** The OTLP traces intake (createTracesIntake). */
export interface TracesIntake {
  /** Records one decoded `POST /v1/traces` request; what it observed and rejected, and why. */
  accept(request: ExportTraceRequest): IntakeOutcome;
  /** Settles spans whose other side did not come in time; call every second or so. */
  sweep(): void;
  /**
   * The pairing's counters; of the spans left alone (expired or pushed out), how many server spans
   * never met their client span (`serversAlone`) and how many client spans named no callee (`unattributed`).
   */
  stats(): SpanPairingStats & { serversAlone: number; unattributed: number };
}

/**
 * OTLP spans → the service graph, through the metrics store's one recording path. A server span
 * feeds its service and instance series at once (so drain sees it) unless the service sends
 * server-side duration metrics; the edge caller → callee is recorded when the client span and its
 * server span pair (server duration) or when a client span expires alone (client duration, to the
 * callee its peer attributes name). A server span alone names no caller: its parent says the caller
 * is instrumented, so its client span was lost (an export refused, the other side paired by another
 * replica), and like the Collector's servicegraph connector the intake counts it and draws no edge;
 * a root server span (no parent) waits for nothing. Messaging and database spans are edges to or from a queue or database node on
 * their own. No edge is fed by spans while the caller's client metrics cover it (`ReportAuthority`).
 */
export function createTracesIntake(options: TracesIntakeOptions): TracesIntake {
  const now = options.now ?? Date.now;
  const { registry } = options;
  const pairing = createSpanPairing({ cap: options.maxWaiting ?? 50_000, ttlMs: options.pairTtlMs ?? 15_000 });
  const { authority, externals } = options;
  let unattributed = 0;
  let serversAlone = 0;

  /** Records one call; false when the store refuses it (a clock more than a day off). */
  const record = (observation: CallObservation): boolean => options.latency.observe(observation);

  /** The edge from → to at `at`, unless the caller's client metrics cover it; `toInstance` and `countsForCallee` for a callee named by a client span. */
  const edge = (at: number, from: string, to: string, timing: SpanTiming, callee: { countsForCallee: boolean; toInstance?: string } = { countsForCallee: false }): boolean => {
    if (authority.clientMetricsCover(from, to, at)) return true;
    const call = callOf(to, timing, callee.countsForCallee);
    call.from = from;
    if (callee.toInstance) call.toInstance = callee.toInstance;
    return record(call);
  };

  /** A completed pair is one call on the edge, with the server span's duration; failed if either side failed. */
  const paired = (at: number, pair: Pair | undefined): void => {
    if (pair) edge(at, pair.client.reporter.service, pair.server.reporter.service, { endMs: pair.server.endMs, durationMs: pair.server.durationMs, error: pair.client.error || pair.server.error });
  };

  const settle = (unpaired: Unpaired, at: number): void => {
    // Already on its service's series since it arrived: nothing more to record.
    serversAlone += unpaired.servers.length;
    for (const client of unpaired.clients) {
      const callee = client.callee;
      if (!callee || (callee.external && !externals.admit(callee.service))) {
        unattributed += 1;
        continue;
      }
      const instance = callee.external ? undefined : callee.instance || undefined;
      const feeds = authority.calleeSeries(callee.service, instance, at, registry);
      edge(at, client.reporter.service, callee.service, client, instance && feeds === 'service and instance' ? { countsForCallee: true, toInstance: instance } : { countsForCallee: feeds !== 'none' });
    }
  };

  /**
   * One fact into the store at `at` (the request's time: one clock read per request); a reason when
   * it is refused. `serverMarked`: the reporter's server spans are already marked at `at`.
   */
  const take = (fact: SpanFact, at: number, overflow: Unpaired, serverMarked: boolean): string | undefined => {
    if (fact.role === 'edge') {
      if (!externals.admit(fact.node.name)) return 'external node cap reached';
      const call = callOf(fact.to, fact, true);
      call.from = fact.from;
      if (fact.toInstance) call.toInstance = fact.toInstance;
      call.node = fact.node;
      return record(call) ? undefined : 'span ended more than a day from the server clock';
    }
    if (fact.role === 'client') {
      paired(at, pairing.offerClient(fact, at, overflow));
      return undefined;
    }
    if (!serverMarked) authority.markServerSpans(fact.reporter.service, at);
    if (!authority.serverMetricsRecent(fact.reporter.service, at)) {
      const call = callOf(fact.reporter.service, fact, true);
      if (fact.reporter.instance) call.toInstance = fact.reporter.instance;
      if (!record(call)) return 'span ended more than a day from the server clock';
    }
    // A root span is where a request entered the fleet, or came from a caller that reports its calls
    // otherwise (ingest, client metrics) and sends no traceparent: no caller to pair with. The
    // Collector draws `user` → service for it; here that node would stand beside the real caller's edge.
    if (!hasPairKey(fact)) return undefined;
    paired(at, pairing.offerServer(fact, at, overflow));
    return undefined;
  };

  return {
    accept(request: ExportTraceRequest): IntakeOutcome {
      const at = now();
      settle(pairing.expire(at), at);
      const overflow: Unpaired = { clients: [], servers: [] };
      const outcome: IntakeOutcome = { observed: 0, rejected: 0, externalOverflow: 0 };
      const refuse = (spans: number, reason: string): void => {
        outcome.rejected += spans;
        outcome.reason ??= reason;
        if (reason.startsWith('external')) outcome.externalOverflow += spans;
      };
      for (const { resource, scopeSpans } of request.resourceSpans) {
        const spans = scopeSpans.flatMap((scope) => scope.spans);
        const service = attributeText(resource.attributes, 'service.name');
        if (!service) {
          refuse(spans.length, 'resource has no service.name attribute');
          continue;
        }
        if (service.length > MAX_NODE_NAME) {
          refuse(spans.length, `resource service.name over ${MAX_NODE_NAME} characters`);
          continue;
        }
        if (!registry.hasService(service) && !externals.admit(service)) {
          refuse(spans.length, `external node cap reached (reporter ${service} is not registered)`);
          continue;
        }
        const instance = attributeText(resource.attributes, 'service.instance.id');
        const reporter = { service, ...(instance ? { instance } : {}) };
        // Every server span of a resource marks the same service at the same time: once is enough.
        let serverMarked = false;
        for (const span of spans) {
          const fact = spanFact(span, reporter, registry);
          if (fact === null) continue;
          const refused = typeof fact === 'string' ? fact : take(fact, at, overflow, serverMarked);
          if (typeof fact !== 'string' && fact.role === 'server') serverMarked = true;
          if (refused) refuse(1, refused);
          else outcome.observed += 1;
        }
      }
      settle(overflow, at);
      return outcome;
    },
    sweep: () => {
      const at = now();
      settle(pairing.expire(at), at);
    },
    stats: () => ({ ...pairing.stats(), serversAlone, unattributed }),
  };
}
