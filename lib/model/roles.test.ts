import { describe, expect, it } from 'vitest';
import { RoleSchema, roleAtLeast } from './roles';

describe('roles', () => {
  it('orders viewer < operator < admin', () => {
    expect(roleAtLeast('viewer', 'viewer')).toBe(true);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
    expect(roleAtLeast('operator', 'viewer')).toBe(true);
    expect(roleAtLeast('operator', 'admin')).toBe(false);
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('admin', 'admin')).toBe(true);
  });

  it('accepts only the three role names', () => {
    expect(RoleSchema.safeParse('operator').success).toBe(true);
    expect(RoleSchema.safeParse('root').success).toBe(false);
    expect(RoleSchema.safeParse('Admin').success).toBe(false);
  });
});
