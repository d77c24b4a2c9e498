import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { headerOf, oidcPendingCookie, secureCookies } from './cookies';
import { createOidcLogin, PENDING_LOGIN_MAX_AGE_MS, type OidcIdentity, type OidcLogin, type PendingOidcLogin } from './oidc';

const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const MAX_PENDING = 10_000;

/** Single sign-on through OpenID Connect: the routes `/api/v1/auth/oidc/start` and `…/callback` drive it. */
export interface OidcFlow {
  /** False when no provider is configured (the login page shows no button, `start` answers 404). */
  enabled: boolean;
  /** The provider's name on the login page's button. */
  displayName: string;
  /** The provider's authorization URL and the cookie holding this browser's pending login id. */
  begin(headers: { get(name: string): string | null }, returnTo: string): Promise<{ url: URL; cookie: string }>;
  /** The pending login for this browser's cookie, removed (a callback is used once). */
  take(id: string | undefined): PendingOidcLogin | undefined;
  /** Code → tokens → the identity the provider vouches for. */
  complete(callbackUrl: URL, entry: PendingOidcLogin): Promise<OidcIdentity>;
  /** The `Set-Cookie` value that clears the pending login cookie. */
  clearedCookie(): string;
}

/**
 * Logins on their way through the provider, kept here (one process) under a random id; the
 * browser holds only that id in an HttpOnly cookie, so it can neither read nor forge the PKCE
 * verifier, state or nonce. Each is used once and lives at most PENDING_LOGIN_MAX_AGE_MS.
 */
export function createOidcFlow(config: Pick<Config, 'oidc' | 'SWITCHYARD_PUBLIC_URL'>, now: () => number = Date.now): OidcFlow {
  const pending = new Map<string, PendingOidcLogin>();
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

  const sweep = (): void => {
    for (const [id, entry] of pending) if (now() - entry.startedAt > PENDING_LOGIN_MAX_AGE_MS) pending.delete(id);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
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
    async begin(headers: { get(name: string): string | null }, returnTo: string): Promise<{ url: URL; cookie: string }> {
      const { url, pending: entry } = await (await client()).begin(redirectUri(headers), returnTo);
      sweep();
      const id = randomBytes(24).toString('base64url');
      pending.set(id, entry);
      return { url, cookie: oidcPendingCookie(id, PENDING_LOGIN_MAX_AGE_MS / 1000, config) };
    },
    /** The pending login for this browser's cookie, removed (a callback is used once). */
    take(id: string | undefined): PendingOidcLogin | undefined {
      if (!id) return undefined;
      const entry = pending.get(id);
      pending.delete(id);
      return entry;
    },
    complete: async (callbackUrl: URL, entry: PendingOidcLogin) => (await client()).complete(callbackUrl, entry),
    clearedCookie: (): string => oidcPendingCookie('', 0, config),
  };
}

