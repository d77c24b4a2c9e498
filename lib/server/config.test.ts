import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.ETCD_ENDPOINTS).toBeUndefined();
    expect(config.SWITCHYARD_CONTROL_PREFIX).toBe('/switchyard/');
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  it('splits comma-separated lists', () => {
    const config = loadConfig({ ETCD_ENDPOINTS: 'http://a:2379, http://b:2379,', SWITCHYARD_PREFIXES: '/services/' });
    expect(config.ETCD_ENDPOINTS).toEqual(['http://a:2379', 'http://b:2379']);
    expect(config.SWITCHYARD_PREFIXES).toEqual(['/services/']);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SWITCHYARD_CONTROL_PREFIX: 'switchyard' })).toThrow(/SWITCHYARD_CONTROL_PREFIX/);
  });

  it('parses per-service health thresholds and rejects bad ones by name', () => {
    const config = loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '{"search":{"warnLatencyMs":3000}}' });
    expect(config.SWITCHYARD_HEALTH_OVERRIDES).toEqual({ search: { warnLatencyMs: 3000 } });
    expect(() => loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '{"search":{"failAfter":0}}' })).toThrow(/SWITCHYARD_HEALTH_OVERRIDES/);
    expect(() => loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: 'nope' })).toThrow(/SWITCHYARD_HEALTH_OVERRIDES/);
  });

  it('leaves single sign-on off without OIDC_ISSUER', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('builds the single sign-on settings with their defaults', () => {
    const config = loadConfig({ OIDC_ISSUER: 'https://sso.example.com/realms/ops', OIDC_CLIENT_ID: 'switchyard', OIDC_ROLE_MAP: 'sre-oncall=operator,platform=admin' });
    expect(config.oidc?.displayName).toBe('Single sign-on');
    expect(config.oidc?.redirectUri).toBeUndefined();
    expect(config.oidc?.settings).toEqual({
      issuer: new URL('https://sso.example.com/realms/ops'),
      clientId: 'switchyard',
      clientSecret: undefined,
      roleClaim: 'groups',
      roleMap: new Map([['sre-oncall', 'operator'], ['platform', 'admin']]),
      defaultRole: undefined,
      scopes: ['openid', 'profile', 'email'],
    });
  });

  it('takes the optional single sign-on variables', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'http://127.0.0.1:4000',
      OIDC_CLIENT_ID: 'switchyard',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_ROLE_CLAIM: 'realm_access.roles',
      OIDC_DEFAULT_ROLE: 'viewer',
      OIDC_SCOPES: 'openid groups,profile',
      OIDC_DISPLAY_NAME: ' Okta ',
      OIDC_REDIRECT_URI: 'https://switchyard.example.com/api/v1/auth/oidc/callback',
    });
    expect(config.oidc?.displayName).toBe('Okta');
    expect(config.oidc?.redirectUri).toBe('https://switchyard.example.com/api/v1/auth/oidc/callback');
    expect(config.oidc?.settings).toMatchObject({ clientSecret: 's3cret', roleClaim: 'realm_access.roles', defaultRole: 'viewer', scopes: ['openid', 'groups', 'profile'] });
    expect(config.oidc?.settings.roleMap.size).toBe(0);
  });

  it('refuses incomplete or unsafe single sign-on settings by name', () => {
    const base = { OIDC_ISSUER: 'https://sso.example.com', OIDC_CLIENT_ID: 'switchyard', OIDC_ROLE_MAP: 'ops=operator' };
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'http://sso.example.com' })).toThrow(/OIDC_ISSUER: must use https:\/\//);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'sso.example.com' })).toThrow(/OIDC_ISSUER: must be a URL/);
    expect(() => loadConfig({ ...base, OIDC_CLIENT_ID: undefined })).toThrow(/OIDC_CLIENT_ID: is required when OIDC_ISSUER is set/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: undefined })).toThrow(/OIDC_ROLE_MAP: is required when OIDC_ISSUER is set \(or set OIDC_DEFAULT_ROLE/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: 'ops=root' })).toThrow(/OIDC_ROLE_MAP: "root" in "ops=root" is not a role/);
    expect(() => loadConfig({ ...base, OIDC_DEFAULT_ROLE: 'guest' })).toThrow(/OIDC_DEFAULT_ROLE/);
    expect(() => loadConfig({ ...base, OIDC_REDIRECT_URI: '/api/v1/auth/oidc/callback' })).toThrow(/OIDC_REDIRECT_URI/);
    expect(() => loadConfig({ ...base, OIDC_REDIRECT_URI: 'javascript:alert(1)' })).toThrow(/OIDC_REDIRECT_URI/);
    expect(() => loadConfig({ ...base, OIDC_ROLE_MAP: undefined, OIDC_DEFAULT_ROLE: 'viewer' })).not.toThrow();
  });
});
