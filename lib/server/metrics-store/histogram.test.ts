import { describe, expect, it } from 'vitest';
import { bucketValues, valueQuantiles } from './histogram';

describe('bucketValues', () => {
  it('represents each bucket by its midpoint and the overflow by the last bound', () => {
    expect(bucketValues([10, 50], [3, 0, 2])).toEqual([{ value: 5, weight: 3 }, { value: 50, weight: 2 }]);
  });
});

describe('valueQuantiles', () => {
  it('gives exact weighted quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => ({ value: i + 1, weight: 1 }));
    expect(valueQuantiles(values)).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('honours weights and fractional shares', () => {
    expect(valueQuantiles([{ value: 1, weight: 0.9 }, { value: 1000, weight: 0.1 }])).toEqual({ p50: 1, p95: 1000, p99: 1000 });
  });

  it('is null with nothing recorded', () => {
    expect(valueQuantiles([])).toBeNull();
  });
});
