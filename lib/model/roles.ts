import { z } from 'zod';

/** Roles, weakest first: a viewer sees everything, an operator may also drain, an admin also manages users and tokens. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

/** Whether `have` grants what `need` requires. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}
