import { describe, expect, it } from 'vitest';
import { instancesLatencyUrl, refreshIntervalMs, serviceLatencyUrl } from './useLatency';

describe('latency polling', () => {
  it('refreshes 1 s slots every 2 s and minute slots every 30 s', () => {
    expect(refreshIntervalMs('5m')).toBe(2_000);
    expect(refreshIntervalMs('15m')).toBe(2_000);
    expect(refreshIntervalMs('1h')).toBe(30_000);
    expect(refreshIntervalMs('24h')).toBe(30_000);
  });

  it('encodes service names into one path segment', () => {
    expect(serviceLatencyUrl('pay 100%/x', '1h')).toBe('/api/v1/services/pay%20100%25%2Fx/latency?window=1h');
    expect(instancesLatencyUrl('a', '5m')).toBe('/api/v1/services/a/instances/latency?window=5m');
  });
});
