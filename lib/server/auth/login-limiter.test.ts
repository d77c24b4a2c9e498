import { describe, expect, it } from 'vitest';
import { createLoginLimiter, limiterKey, type LoginSlot } from './login-limiter';

const WINDOW = 60_000;

function limiterAt(start: number, maxAddresses?: number) {
  const clock = { ms: start };
  const limiter = createLoginLimiter({ maxFailures: 3, windowMs: WINDOW, now: () => clock.ms, ...(maxAddresses ? { maxAddresses } : {}) });
  const fail = (address: string): void => {
    const slot = limiter.reserve(address);
    if (!slot.ok) throw new Error(`${address} refused`);
    slot.failed();
  };
  return { clock, limiter, fail };
}

const refusedFor = (slot: LoginSlot): number => (slot.ok ? 0 : slot.retryAfterSeconds);

describe('login limiter', () => {
  it('refuses an address after too many failures, until the window passes', () => {
    const { clock, limiter, fail } = limiterAt(1_000_000);
    for (let i = 0; i < 3; i++) fail('10.0.0.1');
    expect(refusedFor(limiter.reserve('10.0.0.1'))).toBe(60);
    expect(limiter.reserve('10.0.0.2').ok).toBe(true);
    clock.ms += 30_000;
    expect(refusedFor(limiter.reserve('10.0.0.1'))).toBe(30);
    clock.ms += 30_001;
    expect(limiter.reserve('10.0.0.1').ok).toBe(true);
  });

  it('counts attempts in progress, so a parallel burst gets no more slots than the limit', () => {
    const { limiter } = limiterAt(1_000_000);
    const burst = Array.from({ length: 10 }, () => limiter.reserve('10.0.0.1'));
    expect(burst.filter((slot) => slot.ok)).toHaveLength(3);
    // Refused while only attempts in progress hold the slots: try again in a second.
    expect(burst.map(refusedFor).filter((wait) => wait > 0)).toEqual(Array(7).fill(1));
  });

  it('gives a slot back when the sign-in succeeds, keeps it as a failure when it fails', () => {
    const { clock, limiter } = limiterAt(1_000_000);
    const [first, second, third] = [limiter.reserve('10.0.0.1'), limiter.reserve('10.0.0.1'), limiter.reserve('10.0.0.1')];
    if (!first?.ok || !second?.ok || !third?.ok) throw new Error('three slots expected');
    expect(limiter.reserve('10.0.0.1').ok).toBe(false);
    first.release();
    clock.ms += 5_000;
    second.failed();
    second.failed(); // settling twice counts once
    const fourth = limiter.reserve('10.0.0.1');
    expect(fourth.ok).toBe(true);
    if (fourth.ok) fourth.failed();
    third.failed();
    // Three failures now: the first (at +5 s) expires at +65 s.
    expect(refusedFor(limiter.reserve('10.0.0.1'))).toBe(60);
  });

  it('forgets a successful address entirely and never holds more than maxAddresses', () => {
    const { limiter, fail } = limiterAt(1_000_000, 100);
    const slot = limiter.reserve('10.0.0.1');
    if (slot.ok) slot.release();
    expect(limiter.size()).toBe(0);
    for (let i = 0; i < 1_000; i++) fail(`10.1.${Math.floor(i / 256)}.${i % 256}`);
    expect(limiter.size()).toBe(100);
    // The stalest are forgotten first; the most recent is still limited after two more failures.
    fail('10.1.3.231');
    fail('10.1.3.231');
    expect(limiter.reserve('10.1.3.231').ok).toBe(false);
    expect(limiter.reserve('10.1.0.0').ok).toBe(true);
  });

  it('lists the limited addresses and lets an admin clear one or all', () => {
    const { limiter, fail } = limiterAt(1_000_000);
    for (const address of ['10.0.0.1', '10.0.0.2']) for (let i = 0; i < 3; i++) fail(address);
    fail('10.0.0.3');
    expect(limiter.limited()).toEqual([
      { address: '10.0.0.1', retryAfterSeconds: 60 },
      { address: '10.0.0.2', retryAfterSeconds: 60 },
    ]);
    expect(limiter.clear('::ffff:10.0.0.1')).toBe(1);
    expect(limiter.reserve('10.0.0.1').ok).toBe(true);
    expect(limiter.reserve('10.0.0.2').ok).toBe(false);
    expect(limiter.clear()).toBe(1);
    expect(limiter.reserve('10.0.0.2').ok).toBe(true);
    expect(limiter.limited()).toEqual([]);
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(limiterKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(limiterKey('192.0.2.7')).toBe('192.0.2.7');
    expect(limiterKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(limiterKey('2001:0DB8:0000:0001:ffff:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(limiterKey('::1')).toBe('0:0:0:0::/64');
    const { limiter, fail } = limiterAt(1_000_000);
    for (let i = 1; i <= 3; i++) fail(`2001:db8:0:1::${i}`);
    expect(limiter.reserve('2001:db8:0:1:aaaa::9').ok).toBe(false);
    expect(limiter.reserve('2001:db8:0:2::1').ok).toBe(true);
  });
});
