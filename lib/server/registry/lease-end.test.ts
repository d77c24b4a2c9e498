import { describe, expect, it } from 'vitest';
import { createLeaseEndJudge } from './lease-end';

const setup = (remaining: number | Error, earliestExpiry?: number) => {
  let clock = 1_000_000;
  let lookups = 0;
  const judge = createLeaseEndJudge({
    remainingSeconds: () => {
      lookups += 1;
      return remaining instanceof Error ? Promise.reject(remaining) : Promise.resolve(remaining);
    },
    earliestExpiry: () => earliestExpiry,
    now: () => clock,
  });
  return { judge, lookups: () => lookups, advance: (ms: number) => (clock += ms) };
};

describe('lease end verdicts', () => {
  it('asks etcd once for all the keys a lease took with it, and gives each the same verdict', async () => {
    const { judge, lookups } = setup(-1, 1_060_000);
    const verdicts = await Promise.all(Array.from({ length: 5_000 }, () => judge.judge('77', '900')));
    expect(new Set(verdicts)).toEqual(new Set(['revoked']));
    expect(lookups()).toBe(1);
  });

  it('calls a lease that ended before it could have run out revoked, and one that ended later ended (revoked or expired)', async () => {
    const early = setup(-1, 1_060_000);
    expect(await early.judge.judge('1', '10')).toBe('revoked');
    const late = setup(-1, 1_060_000);
    late.advance(60_000);
    expect(await late.judge.judge('1', '10')).toBe('ended');
    const neverLooked = setup(-1, undefined);
    expect(await neverLooked.judge.judge('1', '10')).toBe('ended');
  });

  it('says alive when the lease outlived its key, and unknown when etcd does not answer', async () => {
    expect(await setup(30, 1_060_000).judge.judge('1', '10')).toBe('alive');
    expect(await setup(new Error('deadline exceeded')).judge.judge('1', '10')).toBe('unknown');
  });

  it('keeps the verdict of an ended lease for keys deleted with it at a later revision', async () => {
    const { judge, lookups, advance } = setup(-1, 1_060_000);
    expect(await judge.judge('5', '10')).toBe('revoked');
    advance(120_000);
    expect(await judge.judge('5', '11')).toBe('revoked');
    expect(lookups()).toBe(1);
  });

  it('asks again for a lease that was alive at the previous delete', async () => {
    const { judge, lookups } = setup(30, 1_060_000);
    expect(await judge.judge('5', '10')).toBe('alive');
    expect(await judge.judge('5', '12')).toBe('alive');
    expect(lookups()).toBe(2);
  });
});
