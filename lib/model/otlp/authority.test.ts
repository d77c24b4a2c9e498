import { describe, expect, it } from 'vitest';
import { createReportAuthority } from './authority';

describe('report authority', () => {
  it('server metrics and client metric edges count for the window, then no longer', () => {
    const authority = createReportAuthority({ windowMs: 1_000, maxServices: 10, maxEdges: 10 });
    authority.markServerMetrics('users', 0);
    authority.markClientMetrics('gateway', 'users', 0);
    expect(authority.serverMetricsRecent('users', 999)).toBe(true);
    expect(authority.clientMetricsCover('gateway', 'users', 999)).toBe(true);
    expect(authority.clientMetricsCover('users', 'gateway', 999)).toBe(false);
    expect(authority.serverMetricsRecent('users', 1_000)).toBe(false);
    expect(authority.clientMetricsCover('gateway', 'users', 1_000)).toBe(false);
  });

  it('server spans make a service report its own calls, but not by metrics', () => {
    const authority = createReportAuthority({ windowMs: 1_000, maxServices: 10, maxEdges: 10 });
    authority.markServerSpans('orders', 0);
    expect(authority.calleeSeries('orders', 'o-1', 10, { isLost: () => false, isDeparted: () => false })).toBe('none');
    expect(authority.serverMetricsRecent('orders', 10)).toBe(false);
  });

  it("gives a caller's calls to the callee's series unless it reports its own, and to its service alone when the callee is lost", () => {
    const authority = createReportAuthority({ windowMs: 1_000, maxServices: 10, maxEdges: 10 });
    const lost = new Set(['orders o-2', 'payments *']);
    const registry = { isLost: (service: string, id: string | undefined) => lost.has(`${service} ${id ?? '*'}`), isDeparted: () => false };
    authority.markServerMetrics('orders', 0);
    authority.markServerMetrics('payments', 0);
    expect([
      authority.calleeSeries('users', 'u-1', 10, registry),
      authority.calleeSeries('users', undefined, 10, registry),
      authority.calleeSeries('orders', 'o-1', 10, registry),
      authority.calleeSeries('orders', 'o-2', 10, registry),
      authority.calleeSeries('payments', undefined, 10, registry),
      authority.calleeSeries('orders', 'o-1', 1_000, registry),
    ]).toEqual(['service and instance', 'service', 'none', 'service', 'service', 'service and instance']);
  });

  it("gives a caller's calls to a departed instance to its service alone, and to none while its service reports its own", () => {
    const authority = createReportAuthority({ windowMs: 1_000, maxServices: 10, maxEdges: 10 });
    const registry = { isLost: () => false, isDeparted: (service: string, id: string) => service === 'users' && id === 'u-1' };
    expect([authority.calleeSeries('users', 'u-1', 10, registry), authority.calleeSeries('users', 'u-2', 10, registry)]).toEqual(['service', 'service and instance']);
    authority.markServerMetrics('users', 0);
    expect([authority.calleeSeries('users', 'u-1', 10, registry), authority.calleeSeries('users', 'u-2', 10, registry)]).toEqual(['none', 'none']);
  });

  it('forgets the least recently marked beyond its bounds', () => {
    const authority = createReportAuthority({ windowMs: 1_000, maxServices: 2, maxEdges: 1 });
    for (const service of ['a', 'b', 'c']) authority.markServerMetrics(service, 0);
    authority.markClientMetrics('a', 'b', 0);
    authority.markClientMetrics('a', 'c', 0);
    expect(authority.serverMetricsRecent('a', 1)).toBe(false);
    expect(authority.clientMetricsCover('a', 'b', 1)).toBe(false);
    expect(authority.stats()).toEqual({ serverMetricReporters: 2, serverSpanReporters: 0, clientMetricEdges: 1 });
  });
});
