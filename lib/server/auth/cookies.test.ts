import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, oidcPendingCookie, oidcPendingIdOf, secureCookies, sessionCookie, sessionSecretOf } from './cookies';

const plain = { SWITCHYARD_PUBLIC_URL: undefined, TLS_CERT_FILE: undefined, SWITCHYARD_SESSION_MAX_SECONDS: 3_600 };
const behindTls = { ...plain, SWITCHYARD_PUBLIC_URL: 'https://switchyard.example' };

describe('cookies', () => {
  it('are Secure and __Host- bound only when people reach us over HTTPS', () => {
    expect(secureCookies(plain)).toBe(false);
    expect(secureCookies(behindTls)).toBe(true);
    expect(secureCookies({ ...plain, TLS_CERT_FILE: '/tls/cert.pem' })).toBe(true);
    expect(sessionCookie('s3cret', plain)).toBe('switchyard_session=s3cret; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax');
    expect(sessionCookie('s3cret', behindTls)).toBe('__Host-switchyard_session=s3cret; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(clearedSessionCookie(plain)).toContain('Max-Age=0');
  });

  it('reads the session secret under the name its scheme uses, from any header source', () => {
    const header = 'theme=dark; switchyard_session=abc; __Host-switchyard_session=xyz';
    expect(sessionSecretOf(new Headers({ cookie: header }), false)).toBe('abc');
    expect(sessionSecretOf({ cookie: header }, true)).toBe('xyz');
    expect(sessionSecretOf({}, false)).toBeUndefined();
    expect(sessionSecretOf({ cookie: 'switchyard_session=' }, false)).toBeUndefined();
  });

  it('sends the pending single-sign-on id only to the callback path, and reads it back', () => {
    const cookie = oidcPendingCookie('pending-id', 600, plain);
    expect(cookie).toBe('switchyard_oidc=pending-id; Max-Age=600; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax');
    expect(oidcPendingIdOf({ cookie: 'switchyard_oidc=pending-id' })).toBe('pending-id');
  });
});
