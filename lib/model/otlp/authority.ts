/**
 * Who reports what, recently: the rule that keeps one call from counting twice when a fleet sends
 * OTLP metrics and traces together (docs/ARCHITECTURE.md "OpenTelemetry intake").
 * - A service's own series: its server-side duration metrics when it sends them, else its server
 *   spans, else its callers' client metrics, else their unpaired client spans.
 * - An edge caller → callee: the caller's client duration metrics naming that callee when it sends
 *   them, else spans.
 * "Recently" is `windowMs`; both maps are bounded (least recently marked forgotten first).
 */
export function createReportAuthority(options: { windowMs: number; maxServices: number; maxEdges: number }) {
  const serverMetrics = new Map<string, number>();
  const serverSpans = new Map<string, number>();
  const clientMetricEdges = new Map<string, number>();

  const mark = (map: Map<string, number>, cap: number, key: string, at: number): void => {
    map.delete(key);
    map.set(key, at);
    if (map.size > cap) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
  };
  const recent = (map: Map<string, number>, key: string, at: number): boolean => {
    const seen = map.get(key);
    return seen !== undefined && at - seen < options.windowMs;
  };
  const edgeKey = (caller: string, callee: string): string => `${caller}\u0000${callee}`;

  return {
    markServerMetrics: (service: string, at: number) => mark(serverMetrics, options.maxServices, service, at),
    markServerSpans: (service: string, at: number) => mark(serverSpans, options.maxServices, service, at),
    markClientMetrics: (caller: string, callee: string, at: number) => mark(clientMetricEdges, options.maxEdges, edgeKey(caller, callee), at),
    /** The service's server-side duration metrics are recent: they, not spans, feed its series. */
    serverMetricsRecent: (service: string, at: number) => recent(serverMetrics, service, at),
    /** The service reports the calls it receives itself (metrics or spans): callers' client data does not feed its series. */
    reportsServerSide: (service: string, at: number) => recent(serverMetrics, service, at) || recent(serverSpans, service, at),
    /** The caller's client metrics cover this edge: spans do not feed it. */
    clientMetricsCover: (caller: string, callee: string, at: number) => recent(clientMetricEdges, edgeKey(caller, callee), at),
    stats: () => ({ serverMetricReporters: serverMetrics.size, serverSpanReporters: serverSpans.size, clientMetricEdges: clientMetricEdges.size }),
  };
}

export type ReportAuthority = ReturnType<typeof createReportAuthority>;
