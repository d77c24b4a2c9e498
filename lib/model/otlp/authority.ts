import { BoundedMap } from '../bounded-map';
import type { RegistryLookup } from './peer';

/** Which of a callee's series one report of calls to it feeds (the edge is fed whatever this says). */
export type CalleeSeries = 'service and instance' | 'service' | 'none';

/** Who reported what recently, deciding which series a report feeds (createReportAuthority). */
export interface ReportAuthority {
  /** The service sent its server-side duration metrics at `at`. */
  markServerMetrics(service: string, at: number): void;
  /** The service sent server spans at `at`. */
  markServerSpans(service: string, at: number): void;
  /** The caller sent client duration metrics naming this callee at `at`. */
  markClientMetrics(caller: string, callee: string, at: number): void;
  /** The service's server-side duration metrics are recent: they, not spans, feed its series. */
  serverMetricsRecent(service: string, at: number): boolean;
  /**
   * Which of the callee's series a caller's report of calls to `service` (`instance` when it names
   * one) feeds. Its service's and instance's while the callee does not report the calls it receives
   * itself. Its service's alone when the instance called is lost, or all the service's are
   * (`RegistryLookup.isLost`), whatever it reported before: the calls failing because it is gone
   * reach nothing that would report them, and they are the outage — but not its instance's, which
   * starts clean when it registers again instead of turning critical on what failed while it was away.
   * An instance whose key went (`RegistryLookup.isDeparted`) may still serve, and report the calls
   * it receives: its service's series follows the service's own reports, as for a registered
   * instance, and its instance's gets nothing, as for a lost one.
   */
  calleeSeries(service: string, instance: string | undefined, at: number, registry: Pick<RegistryLookup, 'isLost' | 'isDeparted'>): CalleeSeries;
  /** The caller's client metrics cover this edge: spans do not feed it. */
  clientMetricsCover(caller: string, callee: string, at: number): boolean;
  /** Services and edges remembered now (diagnostics). */
  stats(): { serverMetricReporters: number; serverSpanReporters: number; clientMetricEdges: number };
}

/**
 * Who reports what, recently: the rule that keeps one call from counting twice when a fleet sends
 * OTLP metrics and traces together (docs/ARCHITECTURE.md "OpenTelemetry intake").
 * - A service's own series: its server-side duration metrics when it sends them, else its server
 *   spans, else its callers' client metrics, else their unpaired client spans.
 * - An edge caller → callee: the caller's client duration metrics naming that callee when it sends
 *   them, else spans.
 * "Recently" is `windowMs`; both maps are bounded (least recently marked forgotten first).
 */
export function createReportAuthority(options: { windowMs: number; maxServices: number; maxEdges: number }): ReportAuthority {
  const serverMetrics = new BoundedMap<string, number>(options.maxServices);
  const serverSpans = new BoundedMap<string, number>(options.maxServices);
  const clientMetricEdges = new BoundedMap<string, number>(options.maxEdges);
  const recent = (map: Map<string, number>, key: string, at: number): boolean => {
    const seen = map.get(key);
    return seen !== undefined && at - seen < options.windowMs;
  };
  const edgeKey = (caller: string, callee: string): string => `${caller}\u0000${callee}`;
  /** The service reports the calls it receives itself (metrics or spans): callers' client data does not feed its series. */
  const reportsServerSide = (service: string, at: number): boolean => recent(serverMetrics, service, at) || recent(serverSpans, service, at);

  return {
    markServerMetrics: (service: string, at: number) => void serverMetrics.set(service, at),
    markServerSpans: (service: string, at: number) => void serverSpans.set(service, at),
    markClientMetrics: (caller: string, callee: string, at: number) => void clientMetricEdges.set(edgeKey(caller, callee), at),
    serverMetricsRecent: (service: string, at: number) => recent(serverMetrics, service, at),
    calleeSeries(service: string, instance: string | undefined, at: number, registry: Pick<RegistryLookup, 'isLost' | 'isDeparted'>): CalleeSeries {
      const lost = registry.isLost(service, instance);
      if (!lost && reportsServerSide(service, at)) return 'none';
      return instance !== undefined && !lost && !registry.isDeparted(service, instance) ? 'service and instance' : 'service';
    },
    clientMetricsCover: (caller: string, callee: string, at: number) => recent(clientMetricEdges, edgeKey(caller, callee), at),
    stats: () => ({ serverMetricReporters: serverMetrics.size, serverSpanReporters: serverSpans.size, clientMetricEdges: clientMetricEdges.size }),
  };
}
