import * as client from 'openid-client';
import { z } from 'zod';
import type { Role } from '@/lib/model/roles';
import { issuerProblem } from './oidc-issuer';
import { claimValues, roleForClaimValues, type RoleMap } from './oidc-roles';
import { safeNextPath } from '@/lib/model/next-path';

export type { RoleMap } from './oidc-roles';

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret?: string;
  /** Claim holding the values `roleMap` maps: a string or an array of strings, or a dotted path. */
  roleClaim: string;
  roleMap: RoleMap;
  /** Role for a user none of whose claim values map; without it such a user is refused. */
  defaultRole?: Role;
  /** Default `openid profile email`; some providers need e.g. `groups` to send that claim. */
  scopes?: readonly string[];
}

/**
 * What the caller keeps between `begin` and `complete`: the flow keeps it in the shared database
 * (oidc-pending.ts), the browser only its random id. It is read back from a row another replica,
 * maybe of another version, wrote, so parse it with this schema before `complete`.
 */
export const PendingOidcLoginSchema = z.object({
  state: z.string().min(1).max(512),
  nonce: z.string().min(1).max(512),
  codeVerifier: z.string().min(43).max(128),
  returnTo: z.string().max(2048),
  redirectUri: z.url(),
  startedAt: z.number().int().nonnegative(),
});
export type PendingOidcLogin = z.infer<typeof PendingOidcLoginSchema>;

export interface OidcIdentity {
  issuer: string;
  subject: string;
  name: string;
  role: Role;
}

export interface OidcLogin {
  /** Authorization URL to redirect the browser to, and what the caller must keep until the callback. */
  begin(redirectUri: string, returnTo: string): Promise<{ url: URL; pending: PendingOidcLogin }>;
  /** Exchanges the code (PKCE + state + nonce checked), validates the ID token, maps the role claim. */
  complete(callbackUrl: URL, pending: PendingOidcLogin): Promise<OidcIdentity>;
}

export type OidcFailure =
  /** Settings the library refuses (e.g. a plain-HTTP issuer that is not loopback). */
  | 'misconfigured'
  /** The provider could not be reached or answered nonsense at discovery or token time. */
  | 'unavailable'
  /** The pending login is older than `PENDING_LOGIN_MAX_AGE_MS`. */
  | 'expired'
  /** The callback's state is not the one this browser started with. */
  | 'state-mismatch'
  /** The provider answered the authorization request with an error (e.g. the user cancelled). */
  | 'refused'
  /** The provider did not accept the code (replayed, wrong PKCE verifier, expired) or its tokens failed validation. */
  | 'rejected'
  /** The user authenticated but maps to no role and there is no default role. */
  | 'no-role';

/** `message` is safe to show to the user; details for the log are in `cause`. */
export class OidcLoginError extends Error {
  constructor(
    readonly reason: OidcFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcLoginError';
  }
}

/**
 * By name, not `instanceof`: route handlers are bundled by Next apart from the runtime that throws
 * (next.js #55660), so each side has its own copy of the class.
 */
export function isOidcLoginError(error: unknown): error is OidcLoginError {
  return error instanceof Error && error.name === 'OidcLoginError';
}

/** A login must come back from the provider within this time. */
export const PENDING_LOGIN_MAX_AGE_MS = 10 * 60_000;
const REQUEST_TIMEOUT_SECONDS = 10;
const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

/**
 * Discovers the provider (one request; throws `OidcLoginError` 'unavailable' when it cannot, so the
 * caller may retry later) and returns the two halves of the authorization code flow.
 */
export async function createOidcLogin(settings: OidcSettings): Promise<OidcLogin> {
  const problem = issuerProblem(settings.issuer);
  if (problem) throw new OidcLoginError('misconfigured', `Single sign-on is misconfigured: OIDC_ISSUER ${problem}.`);
  const insecure = settings.issuer.protocol === 'http:';
  let configuration: client.Configuration;
  try {
    configuration = await client.discovery(
      settings.issuer,
      settings.clientId,
      settings.clientSecret,
      settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret),
      // Plain HTTP only gets here for a loopback issuer (issuerProblem), i.e. a provider on this machine.
      { timeout: REQUEST_TIMEOUT_SECONDS, execute: insecure ? [client.allowInsecureRequests] : [] },
    );
  } catch (error) {
    throw new OidcLoginError('unavailable', `Single sign-on is unavailable: the identity provider at ${settings.issuer.href} could not be reached or did not answer as an OpenID Connect provider.`, {
      cause: error,
    });
  }
  const scope = withOpenid(settings.scopes ?? DEFAULT_SCOPES).join(' ');

  return {
    async begin(redirectUri, returnTo) {
      const codeVerifier = client.randomPKCECodeVerifier();
      const pending: PendingOidcLogin = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier,
        returnTo: safeNextPath(returnTo),
        redirectUri,
        startedAt: Date.now(),
      };
      const url = client.buildAuthorizationUrl(configuration, {
        response_type: 'code',
        redirect_uri: redirectUri,
        scope,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      });
      return { url, pending };
    },

    async complete(callbackUrl, pending) {
      if (!(Date.now() - pending.startedAt <= PENDING_LOGIN_MAX_AGE_MS)) {
        throw new OidcLoginError('expired', 'The sign-in took too long. Please sign in again.');
      }
      // Checked here too (openid-client checks it as well) so this case gets its own message.
      if (callbackUrl.searchParams.get('state') !== pending.state) {
        throw new OidcLoginError('state-mismatch', 'This sign-in response does not belong to the sign-in this browser started. Please sign in again.');
      }
      // The code is bound to the redirect URI sent in `begin`; rebuild it from that rather than from
      // the request URL, which a reverse proxy may have rewritten.
      const responseUrl = new URL(pending.redirectUri);
      responseUrl.search = callbackUrl.search;
      const claims = await exchange(configuration, responseUrl, pending);
      const values = claimValues(claims.all, settings.roleClaim);
      const role = roleForClaimValues(values, settings.roleMap, settings.defaultRole);
      if (role === undefined) {
        throw new OidcLoginError(
          'no-role',
          `Your account has no role in Switchyard: none of its "${settings.roleClaim}" values is mapped to a role. Ask an administrator for access.`,
          { cause: { subject: claims.subject, values } },
        );
      }
      return { issuer: claims.issuer, subject: claims.subject, name: displayName(claims.all, claims.subject), role };
    },
  };

  async function exchange(
    config: client.Configuration,
    responseUrl: URL,
    pending: PendingOidcLogin,
  ): Promise<{ issuer: string; subject: string; all: Record<string, unknown> }> {
    try {
      const tokens = await client.authorizationCodeGrant(config, responseUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('the token response has no ID token');
      let all: Record<string, unknown> = { ...idToken };
      // Many providers put scope claims (groups, names) only in UserInfo when an access token is issued.
      if (claimValues(all, settings.roleClaim).length === 0 && tokens.access_token) {
        all = { ...all, ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)) };
      }
      return { issuer: idToken.iss, subject: idToken.sub, all };
    } catch (error) {
      throw asLoginError(error);
    }
  }
}

function asLoginError(error: unknown): OidcLoginError {
  if (error instanceof OidcLoginError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new OidcLoginError('refused', `The identity provider did not sign you in (${error.error}).`, { cause: error });
  }
  if (error instanceof TypeError || isTimeout(error)) {
    return new OidcLoginError('unavailable', 'The identity provider could not be reached. Please try again.', { cause: error });
  }
  return new OidcLoginError('rejected', 'The sign-in could not be verified with the identity provider. Please sign in again.', { cause: error });
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function withOpenid(scopes: readonly string[]): string[] {
  return scopes.includes('openid') ? [...scopes] : ['openid', ...scopes];
}

/** A short, stable name for the console (audit "by", header): the login name where the provider has one. */
function displayName(claims: Readonly<Record<string, unknown>>, subject: string): string {
  for (const claim of ['preferred_username', 'email', 'name']) {
    const value = claims[claim];
    if (typeof value === 'string' && value.trim().length > 0) return value.trim().slice(0, 256);
  }
  return subject;
}
