import { describe, expect, it } from 'vitest';
import { BulkDrainRequestSchema, DrainRequestSchema, drainDetail, drainStateFrom, PathNameSchema } from './drain';

const T = 1_000_000;
describe('drainStateFrom', () => {
  it.each([
    ['nobody reports calls', { reported: false, lastCallAtMs: null }, T - 60_000, 'no-traffic-data'],
    ['drain just began', { reported: true, lastCallAtMs: null }, T - 5_000, 'draining'],
    ['calls still arriving', { reported: true, lastCallAtMs: T - 2_000 }, T - 120_000, 'draining'],
    ['quiet for the whole period', { reported: true, lastCallAtMs: T - 45_000 }, T - 120_000, 'drained'],
    ['no calls in 15 min but reporters exist', { reported: true, lastCallAtMs: null }, T - 120_000, 'drained'],
    ['quiet so far, but the last minute is still arriving', { reported: true, lastCallAtMs: T - 45_000, arrivingFromMs: T - 60_000 }, T - 120_000, 'draining'],
    ['quiet for the whole period before what is still arriving', { reported: true, lastCallAtMs: T - 95_000, arrivingFromMs: T - 60_000 }, T - 120_000, 'drained'],
    ['drained too recently for its quiet period to have arrived', { reported: true, lastCallAtMs: null, arrivingFromMs: T - 60_000 }, T - 80_000, 'draining'],
    // A process started after the drain: the calls it knows are the persisted minutes before its start.
    ['started 20 s ago, its calls all from before, no report since', { reported: true, lastCallAtMs: T - 100_000, watchingSinceMs: T - 20_000 }, T - 300_000, 'draining'],
    ['started 100 s ago, no report since: every second since is known quiet', { reported: true, lastCallAtMs: T - 180_000, watchingSinceMs: T - 100_000 }, T - 300_000, 'drained'],
    ['started 20 s ago, quiet since its start, but not for the quiet period', { reported: true, lastCallAtMs: T - 25_000, arrivingFromMs: T - 5_000, watchingSinceMs: T - 20_000 }, T - 300_000, 'draining'],
    ['started long ago: as before', { reported: true, lastCallAtMs: T - 45_000, watchingSinceMs: T - 3_600_000 }, T - 120_000, 'drained'],
  ] as const)('%s → %s', (_label, activity, drainAt, expected) => {
    expect(drainStateFrom(activity, drainAt, T, 30_000)).toBe(expected);
  });
});

describe('drain request validation', () => {
  it('requires a reason of 1–500 characters', () => {
    expect(DrainRequestSchema.safeParse({ reason: '  ' }).success).toBe(false);
    expect(DrainRequestSchema.safeParse({ reason: 'x'.repeat(501) }).success).toBe(false);
    expect(DrainRequestSchema.safeParse({ reason: 'deploy 4.2', ttlSeconds: 900 }).success).toBe(true);
  });

  it('refuses unknown fields, silly TTLs and a bulk drain with no selector', () => {
    expect(DrainRequestSchema.safeParse({ reason: 'r', by: 'mallory' }).success).toBe(false);
    expect(DrainRequestSchema.safeParse({ reason: 'r', ttlSeconds: 1 }).success).toBe(false);
    expect(DrainRequestSchema.safeParse({ reason: 'r', ttlSeconds: 1.5 }).success).toBe(false);
    expect(BulkDrainRequestSchema.safeParse({ reason: 'r' }).success).toBe(false);
    expect(BulkDrainRequestSchema.safeParse({ reason: 'r', zone: 'eu-west-1a' }).success).toBe(true);
  });

  it.each(['..', 'a/../b', './x', '', 'x'.repeat(257), 'nul\u0000'])('rejects the path name %j', (name) => {
    expect(PathNameSchema.safeParse(name).success).toBe(false);
  });

  // Control characters included (but NUL, which the registry refuses): the registry lists such names, so an operator must be able to act on them.
  it.each(['users', 'user.rpc', '10.0.0.1:8080', 'com.example.Provider', '<b>x</b>', 'nl\nline', 'tab\there', 'x'.repeat(256)])('accepts the name %j', (name) => {
    expect(PathNameSchema.safeParse(name).success).toBe(true);
  });
});

describe('drainDetail', () => {
  it('tells the reason and how long, from the drain value alone (the API and the watch record the same text)', () => {
    expect(drainDetail({ reason: 'deploy', at: '2026-12-03T10:00:00.000Z' })).toBe('deploy (until lifted)');
    expect(drainDetail({ reason: 'deploy', at: '2026-12-03T10:00:00.000Z', until: '2026-12-03T10:00:10.000Z' })).toBe('deploy (for 10 s)');
    expect(drainDetail({ reason: 'deploy', at: '2026-12-03T10:00:00.000Z', until: '2026-12-03T10:30:00.000Z' })).toBe('deploy (for 30 min)');
    expect(drainDetail({ reason: 'deploy', at: '2026-12-03T10:00:00.000Z', until: '2026-12-03T12:00:00.000Z' })).toBe('deploy (for 2 h)');
  });
});
