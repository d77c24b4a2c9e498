import { describe, expect, it } from 'vitest';
import { createUnrecognisedCounter, keyPrefix } from './unrecognised';

describe('keyPrefix', () => {
  it.each([
    ['/config/app/x', '/config/'],
    ['user.rpc/123', 'user.rpc/'],
    ['lonely', 'lonely'],
  ])('%s → %s', (key, prefix) => {
    expect(keyPrefix(key)).toBe(prefix);
  });

  it('clips a huge first segment, so a stranger cannot make the diagnostics page carry 10 KB names', () => {
    expect(keyPrefix(`/${'x'.repeat(10_000)}/y`)).toHaveLength(200);
    expect(keyPrefix('x'.repeat(10_000))).toHaveLength(200);
  });
});

describe('createUnrecognisedCounter', () => {
  it('counts keys per prefix with a clipped sample', () => {
    const counter = createUnrecognisedCounter();
    counter.count('/config/a');
    counter.count('/config/b');
    counter.count(`/${'<img src=x onerror=alert(1)>'.repeat(400)}/z`);
    const { unrecognisedKeys, unrecognised } = counter.summary();
    expect(unrecognisedKeys).toBe(3);
    expect(unrecognised[0]).toEqual({ prefix: '/config/', count: 2, sampleKey: '/config/a' });
    expect(unrecognised[1]?.prefix).toHaveLength(200);
    expect(unrecognised[1]?.sampleKey).toHaveLength(200);
  });
});
