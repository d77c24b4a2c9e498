import { serialize } from 'cookie';
import type { Config } from '../config';
import { secureCookies, sessionCookieName } from './guard';

type CookieConfig = Pick<Config, 'SWITCHYARD_PUBLIC_URL' | 'TLS_CERT_FILE' | 'SWITCHYARD_SESSION_MAX_SECONDS'>;

/**
 * HttpOnly (no script reads it), SameSite=Lax (a link from the incident channel still arrives
 * signed in; cross-site POSTs carry no cookie), Secure under HTTPS.
 */
export function sessionCookie(secret: string, config: CookieConfig): string {
  return withSessionAttributes(secret, config.SWITCHYARD_SESSION_MAX_SECONDS, config);
}

export function clearedSessionCookie(config: CookieConfig): string {
  return withSessionAttributes('', 0, config);
}

function withSessionAttributes(value: string, maxAge: number, config: CookieConfig): string {
  const secure = secureCookies(config);
  return serialize(sessionCookieName(secure), value, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge });
}

/** The client address server.ts recorded (it overwrites any value a client sent). */
export function clientAddress(request: Request): string {
  return request.headers.get('x-switchyard-client') ?? 'unknown';
}
