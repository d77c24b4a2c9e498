import { z } from 'zod';

/** Who may do what, weakest first: viewers look, operators drain, admins manage users and tokens. */
export const RoleSchema = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when `have` grants everything `need` does. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return rank[have] >= rank[need];
}
