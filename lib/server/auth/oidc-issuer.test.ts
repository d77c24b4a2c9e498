import { describe, expect, it } from 'vitest';
import { issuerProblem } from './oidc-issuer';

describe('issuerProblem', () => {
  it('accepts https issuers, with or without a path', () => {
    expect(issuerProblem(new URL('https://accounts.example.com'))).toBeUndefined();
    expect(issuerProblem(new URL('https://sso.example.com/realms/ops'))).toBeUndefined();
  });

  it('accepts plain http only on loopback', () => {
    for (const loopback of ['http://127.0.0.1:4000', 'http://127.1:4000', 'http://localhost:4000', 'http://[::1]:4000/idp']) {
      expect(issuerProblem(new URL(loopback))).toBeUndefined();
    }
    for (const remote of ['http://sso.example.com', 'http://10.0.0.5:4000', 'http://127.0.0.1.nip.io', 'http://[::2]']) {
      expect(issuerProblem(new URL(remote))).toMatch(/must use https:\/\/ \(plain http:\/\/ is allowed only for a loopback issuer/);
    }
  });

  it('refuses other schemes, queries, fragments and credentials', () => {
    expect(issuerProblem(new URL('ftp://sso.example.com'))).toBe('must be an https:// URL');
    expect(issuerProblem(new URL('https://sso.example.com/?tenant=1'))).toBe('must not have a query or fragment');
    expect(issuerProblem(new URL('https://sso.example.com/#x'))).toBe('must not have a query or fragment');
    expect(issuerProblem(new URL('https://u:p@sso.example.com/'))).toBe('must not contain credentials');
  });
});
