import { describe, expect, it } from 'vitest';
import { administers, CreateTokenRequestSchema } from './auth';

describe('who administers', () => {
  it('is an admin without a service scope only', () => {
    expect(administers({ role: 'admin' })).toBe(true);
    expect(administers({ role: 'admin', scope: 'pay' })).toBe(false);
    expect(administers({ role: 'operator' })).toBe(false);
  });

  it('is never a token being made: an admin token cannot be scoped', () => {
    expect(CreateTokenRequestSchema.safeParse({ name: 'pay', role: 'admin', service: 'pay' }).success).toBe(false);
    expect(CreateTokenRequestSchema.safeParse({ name: 'pay', role: 'operator', service: 'pay' }).success).toBe(true);
  });
});
