import { parse as parseCookies, serialize } from 'cookie';
import type { Config } from '../config';

/**
 * Every cookie Switchyard sets or reads: the session cookie and the pending single-sign-on
 * cookie. Imports nothing of ours but the config type, so the guard, the OIDC flow and the
 * runtime can all use it without importing each other.
 */

type CookieConfig = Pick<Config, 'SWITCHYARD_PUBLIC_URL' | 'TLS_CERT_FILE'>;
type SessionCookieConfig = CookieConfig & Pick<Config, 'SWITCHYARD_SESSION_MAX_SECONDS'>;

/** Cookies are Secure when people reach us over HTTPS: our own TLS, or a public URL behind a TLS proxy. */
export function secureCookies(config: CookieConfig): boolean {
  return config.TLS_CERT_FILE !== undefined || config.SWITCHYARD_PUBLIC_URL?.startsWith('https:') === true;
}

/** `__Host-` binds the cookie to this exact origin (Secure, Path=/, no Domain), so only under HTTPS. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-switchyard_session' : 'switchyard_session';
}

/** Anything that carries request headers: a Fetch `Request`, Next's `headers()`, or Node's IncomingHttpHeaders. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

export function headerOf(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

const cookieOf = (headers: HeaderSource, name: string): string | undefined => {
  const cookieHeader = headerOf(headers, 'cookie');
  return cookieHeader ? parseCookies(cookieHeader)[name] || undefined : undefined;
};

/** The session cookie's secret, if present. */
export function sessionSecretOf(headers: HeaderSource, secure: boolean): string | undefined {
  return cookieOf(headers, sessionCookieName(secure));
}

/**
 * HttpOnly (no script reads it), SameSite=Lax (a link from the incident channel still arrives
 * signed in; cross-site POSTs carry no cookie), Secure under HTTPS.
 */
export function sessionCookie(secret: string, config: SessionCookieConfig): string {
  return withSessionAttributes(secret, config.SWITCHYARD_SESSION_MAX_SECONDS, config);
}

export function clearedSessionCookie(config: SessionCookieConfig): string {
  return withSessionAttributes('', 0, config);
}

function withSessionAttributes(value: string, maxAge: number, config: CookieConfig): string {
  const secure = secureCookies(config);
  return serialize(sessionCookieName(secure), value, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
}

const OIDC_COOKIE = 'switchyard_oidc';

/** The id of a sign-in on its way through the provider: only the callback path ever receives it. */
export function oidcPendingCookie(id: string, maxAgeSeconds: number, config: CookieConfig): string {
  return serialize(OIDC_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: secureCookies(config), path: '/api/v1/auth/oidc', maxAge: maxAgeSeconds });
}

export function oidcPendingIdOf(headers: HeaderSource): string | undefined {
  return cookieOf(headers, OIDC_COOKIE);
}
