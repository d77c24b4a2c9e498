import { describe, expect, it } from 'vitest';
import { metricsPathLabels } from './metrics-path';

describe('metricsPathLabels', () => {
  it('takes a plain path as it is', () => {
    expect(metricsPathLabels('/admin/metrics')).toEqual({ __metrics_path__: '/admin/metrics' });
  });

  it('moves a query into __param_ labels and drops the fragment', () => {
    expect(metricsPathLabels('/m?x=1#f')).toEqual({ __metrics_path__: '/m', __param_x: '1' });
    expect(metricsPathLabels('/federate?match_=up&format=a%20b+c')).toEqual({ __metrics_path__: '/federate', __param_match_: 'up', __param_format: 'a b c' });
    expect(metricsPathLabels('/m?')).toEqual({ __metrics_path__: '/m' });
  });

  it('says nothing for an absent or relative path (the default /metrics stays)', () => {
    expect(metricsPathLabels(undefined)).toEqual({});
    expect(metricsPathLabels('metrics')).toEqual({});
    expect(metricsPathLabels('#/m')).toEqual({});
  });

  it.each(['/m?a-b=1', '/m?x=1&x=2', '/m?=1', '/m?1x=2'])('refuses %j: its query cannot be carried in labels', (path) => {
    expect(metricsPathLabels(path)).toBeNull();
  });
});
