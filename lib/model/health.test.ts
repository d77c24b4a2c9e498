import { describe, expect, it } from 'vitest';
import { rollUpStatus } from './health';

const inst = (status: 'passing' | 'warning' | 'critical' | 'unknown', drained = false) => ({
  status,
  drain: drained ? { by: 'a', reason: 'r', at: '2026-01-01T00:00:00Z' } : null,
});

describe('rollUpStatus', () => {
  it.each([
    [[], 'unknown'],
    [[inst('passing'), inst('passing')], 'passing'],
    [[inst('passing'), inst('critical')], 'warning'],
    [[inst('critical'), inst('critical')], 'critical'],
    [[inst('unknown'), inst('unknown')], 'unknown'],
    [[inst('passing'), inst('unknown')], 'passing'],
    [[inst('passing'), inst('critical', true)], 'passing'],
    [[inst('critical', true)], 'critical'],
  ] as const)('%j → %s', (instances, expected) => {
    expect(rollUpStatus(instances)).toBe(expected);
  });
});
