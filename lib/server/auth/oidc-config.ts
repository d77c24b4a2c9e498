import { z } from 'zod';
import { RoleSchema } from '@/lib/model/roles';
import { issuerProblem } from './oidc-issuer';
import type { OidcSettings } from './oidc';
import { parseRoleMap } from './oidc-roles';

/** Single sign-on is on when `OIDC_ISSUER` is set; these fields join the environment schema in config.ts. */
export const OidcEnvShape = {
  OIDC_ISSUER: z
    .string()
    .transform((text, context) => {
      const issuer = URL.parse(text);
      const problem = issuer ? issuerProblem(issuer) : 'must be a URL such as https://sso.example.com';
      if (!issuer || problem) {
        context.addIssue({ code: 'custom', message: problem ?? 'must be a URL' });
        return z.NEVER;
      }
      return issuer;
    })
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Absent for a public client, which then relies on PKCE alone. */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The callback URL registered at the provider, when the app cannot derive it (behind a proxy). */
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_ROLE_CLAIM: z.string().min(1).default('groups'),
  OIDC_ROLE_MAP: z
    .string()
    .transform((text, context) => {
      const parsed = parseRoleMap(text);
      if (!parsed.ok) {
        context.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed.map;
    })
    .optional(),
  OIDC_DEFAULT_ROLE: RoleSchema.optional(),
  /** Space- or comma-separated; `openid` is always requested. */
  OIDC_SCOPES: z
    .string()
    .transform((text) => text.split(/[\s,]+/).filter((scope) => scope.length > 0))
    .default(['openid', 'profile', 'email']),
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(64).default('Single sign-on'),
};

type OidcEnv = z.infer<z.ZodObject<typeof OidcEnvShape>>;

export interface OidcConfig {
  settings: OidcSettings;
  /** Absolute callback URL; when absent the caller derives it from the request's own origin. */
  redirectUri: string | undefined;
  /** Label of the login page's button. */
  displayName: string;
}

/** Cross-field rules, for `superRefine` on the whole environment schema. */
export function checkOidcEnv(env: OidcEnv, context: z.RefinementCtx): void {
  if (!env.OIDC_ISSUER) return;
  if (!env.OIDC_CLIENT_ID) {
    context.addIssue({ code: 'custom', path: ['OIDC_CLIENT_ID'], message: 'is required when OIDC_ISSUER is set' });
  }
  if (!env.OIDC_ROLE_MAP && !env.OIDC_DEFAULT_ROLE) {
    context.addIssue({
      code: 'custom',
      path: ['OIDC_ROLE_MAP'],
      message: 'is required when OIDC_ISSUER is set (or set OIDC_DEFAULT_ROLE to give every provider user that role)',
    });
  }
}

/** The settings for `createOidcLogin`, or undefined when single sign-on is off. Expects `checkOidcEnv` to have passed. */
export function oidcConfigFrom(env: OidcEnv): OidcConfig | undefined {
  if (!env.OIDC_ISSUER || !env.OIDC_CLIENT_ID) return undefined;
  return {
    settings: {
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET,
      roleClaim: env.OIDC_ROLE_CLAIM,
      roleMap: env.OIDC_ROLE_MAP ?? new Map(),
      defaultRole: env.OIDC_DEFAULT_ROLE,
      scopes: env.OIDC_SCOPES,
    },
    redirectUri: env.OIDC_REDIRECT_URI,
    displayName: env.OIDC_DISPLAY_NAME,
  };
}
