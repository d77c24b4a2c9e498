import { describe, expect, it } from 'vitest';
import { administers, CreateTokenRequestSchema, LoginRequestSchema } from './auth';

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

describe('text the database looks up', () => {
  it('refuses a NUL in a sign-in name or a token\u2019s service, which PostgreSQL answered with a 500', () => {
    expect(LoginRequestSchema.safeParse({ username: 'ad\u0000min', password: 'x' }).success).toBe(false);
    expect(LoginRequestSchema.safeParse({ username: 'admin', password: 'x' }).success).toBe(true);
    expect(CreateTokenRequestSchema.safeParse({ name: 'ci', role: 'operator', service: 'pa\u0000y' }).success).toBe(false);
  });
});
