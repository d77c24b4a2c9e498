import { RoleSchema, roleAtLeast, type Role } from '@/lib/model/roles';

/** Claim value → role. A Map, not an object: claim values come from the provider and may be `__proto__`. */
export type RoleMap = ReadonlyMap<string, Role>;

export type RoleMapParse = { ok: true; map: RoleMap } | { ok: false; error: string };

/**
 * Parses `OIDC_ROLE_MAP`, e.g. `sre-oncall=operator,platform=admin`. Entries are comma-separated;
 * the last `=` splits value from role, so a claim value may itself contain `=` (but not a comma).
 */
export function parseRoleMap(text: string): RoleMapParse {
  const map = new Map<string, Role>();
  for (const rawEntry of text.split(',')) {
    const entry = rawEntry.trim();
    if (entry.length === 0) continue;
    const split = entry.lastIndexOf('=');
    if (split <= 0) return { ok: false, error: `"${entry}" is not claim-value=role (e.g. sre-oncall=operator)` };
    const value = entry.slice(0, split).trim();
    const roleName = entry.slice(split + 1).trim();
    const role = RoleSchema.safeParse(roleName);
    if (!role.success) return { ok: false, error: `"${roleName}" in "${entry}" is not a role (viewer, operator or admin)` };
    const earlier = map.get(value);
    if (earlier !== undefined && earlier !== role.data) {
      return { ok: false, error: `"${value}" is mapped twice, to ${earlier} and to ${role.data}` };
    }
    map.set(value, role.data);
  }
  if (map.size === 0) return { ok: false, error: 'maps no claim value to a role (e.g. sre-oncall=operator,platform=admin)' };
  return { ok: true, map };
}

/**
 * The string values of a claim, which may be a string or an array (other members ignored).
 * The claim is looked up by its full name first (`https://example.com/roles` is one name), then as
 * a dotted path into nested objects (Keycloak's `realm_access.roles`).
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  const value = Object.hasOwn(claims, claim) ? claims[claim] : valueAtPath(claims, claim.split('.'));
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((member): member is string => typeof member === 'string');
  return [];
}

function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The highest role any of the values maps to; else the default; else undefined (the user is refused). */
export function roleForClaimValues(values: readonly string[], map: RoleMap, defaultRole?: Role): Role | undefined {
  let best: Role | undefined;
  for (const value of values) {
    const role = map.get(value);
    if (role !== undefined && (best === undefined || !roleAtLeast(best, role))) best = role;
  }
  return best ?? defaultRole;
}
