import { describe, expect, it } from 'vitest';
import { createLoginLimiter } from './login-limiter';

describe('login limiter', () => {
  it('refuses an address after too many failures, until the window passes', () => {
    let clock = 1_000_000;
    const limiter = createLoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => clock });
    for (let i = 0; i < 2; i++) limiter.fail('10.0.0.1');
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
    limiter.fail('10.0.0.1');
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(60);
    expect(limiter.retryAfterSeconds('10.0.0.2')).toBe(0);
    clock += 30_000;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(30);
    clock += 30_001;
    expect(limiter.retryAfterSeconds('10.0.0.1')).toBe(0);
  });
});
