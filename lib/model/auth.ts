import { z } from 'zod';
import { FleetNameSchema, withoutNul } from './drain';
import { RoleSchema, type Role } from './roles';

/** User names are shown in the UI and written to history: short, printable, no spaces. */
export const UserNameSchema = z
  .string()
  .trim()
  .min(1, 'a user name is required')
  .max(64)
  .regex(/^[\w.@+-]+$/, 'letters, digits and . _ @ + - only');

export const MIN_PASSWORD_LENGTH = 12;
/** scrypt's cost grows with length; nobody types more than this. */
export const MAX_PASSWORD_LENGTH = 256;
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH);

export const LoginRequestSchema = z
  // No NUL: a user name is looked up in the database, whose text cannot hold one (a 500, not a refusal).
  .object({ username: z.string().max(64).refine(withoutNul, 'must not contain a NUL character'), password: z.string().max(MAX_PASSWORD_LENGTH) })
  .strict();

export const CreateUserRequestSchema = z.object({ name: UserNameSchema, role: RoleSchema, password: PasswordSchema }).strict();
export const UpdateUserRequestSchema = z
  .object({ role: RoleSchema.optional(), password: PasswordSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change' });
export const ChangePasswordRequestSchema = z.object({ currentPassword: z.string().max(MAX_PASSWORD_LENGTH), newPassword: PasswordSchema }).strict();

export const TokenNameSchema = z.string().trim().min(1, 'a name is required').max(64).regex(/^[\w.@:+ -]+$/, 'letters, digits, spaces and . _ @ : + - only');
export const CreateTokenRequestSchema = z
  .object({
    name: TokenNameSchema,
    role: RoleSchema,
    /** Limits what the token may change (drain, ingest) to one service; reads are not limited. */
    service: FleetNameSchema.optional(),
    expiresInDays: z.number().int().min(1).max(3_650).optional(),
  })
  .strict()
  // An admin's own powers (users, tokens) belong to no service, so a scope could not limit them.
  .refine((body) => body.role !== 'admin' || body.service === undefined, { path: ['service'], message: 'an admin token cannot be scoped to a service: use role operator for a service’s pipeline' });

/** Who a request acts as. `scope` limits writes to one service (tokens only). */
export interface Principal {
  kind: 'session' | 'token';
  name: string;
  role: Role;
  scope?: string;
  /** The session's hash or the token's id: what revocation looks up. */
  credentialId: string;
}

/**
 * Whether a principal may do what only an admin does (users, tokens, lockouts). Those belong to no
 * service, so an admin token scoped to one (made before such tokens were refused) may not: it could
 * mint itself an unscoped one.
 */
export function administers(principal: Pick<Principal, 'role' | 'scope'>): boolean {
  return principal.role === 'admin' && principal.scope === undefined;
}

/** What the UI shows about the signed-in user (`GET /api/v1/auth/me`). */
export interface Me {
  name: string;
  role: Role;
  kind: Principal['kind'];
  scope?: string;
}

export interface UserView {
  name: string;
  role: Role;
  source: 'local' | 'oidc';
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  lockedUntil: string | null;
}

/** `DELETE /api/v1/auth/lockouts?address=&user=`: the named lockouts, or every one when neither is given. */
export const ClearLockoutsQuerySchema = z
  .object({ address: z.string().min(1).max(64).optional(), user: z.string().min(1).max(64).optional() })
  .strict();
export type ClearLockoutsQuery = z.infer<typeof ClearLockoutsQuerySchema>;

/** `GET /api/v1/auth/lockouts`: addresses paused by the per-address limit and accounts locked, right now. */
export interface LockoutsView {
  addresses: { address: string; retryAfterSeconds: number }[];
  users: { name: string; lockedUntil: string }[];
}

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  service: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The actor written to history: a user's name, or `token:<name>` for a pipeline. */
export function actorName(principal: Pick<Principal, 'kind' | 'name'>): string {
  return principal.kind === 'token' ? `token:${principal.name}` : principal.name;
}
