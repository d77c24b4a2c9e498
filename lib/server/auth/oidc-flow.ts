import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { headerOf, oidcPendingCookie, secureCookies } from './cookies';
import { limiterKey } from './login-limiter';
import { createOidcLogin, PENDING_LOGIN_MAX_AGE_MS, type OidcIdentity, type OidcLogin, type PendingOidcLogin } from './oidc';
import type { OidcPendingStore } from './oidc-pending';

const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** Single sign-on through OpenID Connect: the routes `/api/v1/auth/oidc/start` and `…/callback` drive it. */
export interface OidcFlow {
  /** False when no provider is configured (the login page shows no button, `start` answers 404). */
  enabled: boolean;
  /** The provider's name on the login page's button. */
  displayName: string;
  /**
   * The provider's authorization URL and the cookie holding this browser's pending login id; or,
   * while `client` (the request's address) or everyone holds too many pending logins, when to retry.
   * Throws what the database throws (unreachable: the route answers 503).
   */
  begin(headers: { get(name: string): string | null }, returnTo: string, client: string): Promise<{ ok: true; url: URL; cookie: string } | { ok: false; retryAfterSeconds: number }>;
  /** The pending login for this browser's cookie, removed (a callback is used once, on any replica). */
  take(id: string | undefined): Promise<PendingOidcLogin | undefined>;
  /** Code → tokens → the identity the provider vouches for. */
  complete(callbackUrl: URL, entry: PendingOidcLogin): Promise<OidcIdentity>;
  /** The `Set-Cookie` value that clears the pending login cookie. */
  clearedCookie(): string;
}

/**
 * Logins on their way through the provider are kept in the shared database (`oidc_pending`, migration
 * 011) under a random id, so the callback may land on any replica, or on this one restarted; the
 * browser holds only that id in an HttpOnly cookie, so it can neither read nor forge the PKCE
 * verifier, state or nonce. Each is used once and lives at most PENDING_LOGIN_MAX_AGE_MS.
 */
export function createOidcFlow(config: Pick<Config, 'oidc' | 'SWITCHYARD_PUBLIC_URL'>, pending: OidcPendingStore): OidcFlow {
  let login: Promise<OidcLogin> | undefined;

  /** Discovery once; a failure is not kept, so the next sign-in tries again. */
  const client = (): Promise<OidcLogin> => {
    if (!config.oidc) return Promise.reject(new Error('single sign-on is not configured'));
    login ??= createOidcLogin(config.oidc.settings).catch((error: unknown) => {
      login = undefined;
      throw error;
    });
    return login;
  };

  /** The callback URL registered at the provider: configured, else the public URL's, else this request's host. */
  const redirectUri = (headers: { get(name: string): string | null }): string => {
    if (config.oidc?.redirectUri) return config.oidc.redirectUri;
    if (config.SWITCHYARD_PUBLIC_URL) return `${config.SWITCHYARD_PUBLIC_URL}${CALLBACK_PATH}`;
    const scheme = secureCookies(config) ? 'https' : 'http';
    return `${scheme}://${headerOf(headers, 'host') ?? 'localhost'}${CALLBACK_PATH}`;
  };

  return {
    enabled: config.oidc !== undefined,
    displayName: config.oidc?.displayName ?? '',
    async begin(headers, returnTo, address) {
      const { url, pending: entry } = await (await client()).begin(redirectUri(headers), returnTo);
      const id = randomBytes(24).toString('base64url');
      const kept = await pending.put(id, limiterKey(address), entry);
      if (!kept.ok) return kept;
      return { ok: true, url, cookie: oidcPendingCookie(id, PENDING_LOGIN_MAX_AGE_MS / 1000, config) };
    },
    take: async (id) => (id ? pending.take(id) : undefined),
    complete: async (callbackUrl: URL, entry: PendingOidcLogin) => (await client()).complete(callbackUrl, entry),
    clearedCookie: (): string => oidcPendingCookie('', 0, config),
  };
}

