import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Instance } from '@/lib/model/instance';
import { ProbeCell } from './ProbeCell';

type Probed = Pick<Instance, 'health' | 'format' | 'metadata' | 'lastProbe' | 'status' | 'statusCauseKind'>;
const passing: Probed = { format: 'native', metadata: {}, status: 'passing', statusCauseKind: 'probe', lastProbe: { at: '2026-12-07T20:00:00.000Z', ok: true, latencyMs: 0.4 } };
const kindOf = (instance: Probed): { className: string; title: string } => {
  const match = /<span class="(probe-cell__kind[^"]*)" title="([^"]*)"/.exec(renderToStaticMarkup(createElement(ProbeCell, { instance, window: '5m' })));
  return { className: match?.[1] ?? '', title: match?.[2] ?? '' };
};

describe('ProbeCell', () => {
  it('draws a passing instance’s "TCP connect only" neutral, not amber as a warning, its title saying what a connect checks', () => {
    const kind = kindOf(passing);
    expect(kind.className).toBe('probe-cell__kind');
    expect(kind.title).toMatch(/^No health path declared: the prober only checks that the port accepts connections, so a hung or failing app still passes\. /);
  });

  it('draws it as a concern only where it is one: calls to the instance fail or are slow while its connect passes', () => {
    const kind = kindOf({ ...passing, status: 'warning', statusCauseKind: 'error_rate' });
    expect(kind.className).toBe('probe-cell__kind probe-cell__kind--concern');
    expect(kind.title).toMatch(/^Its calls fail, which its probe cannot see: /);
    expect(kindOf({ ...passing, status: 'critical', statusCauseKind: 'probe' }).className).toBe('probe-cell__kind');
    expect(kindOf({ ...passing, health: { http: '/healthz' }, status: 'warning', statusCauseKind: 'latency' }).className).toBe('probe-cell__kind');
  });
});
