import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, readConfiguredFile } from './config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
const pem = path.join(dir, 'some.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
const missing = path.join(dir, 'missing.pem');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

  it("takes the local etcd's preferred client port, etcd's default 2379 unless set, or free ports (test launchers)", () => {
    expect(loadConfig({}).SWITCHYARD_LOCAL_ETCD_PORT).toBe(2379);
    expect(loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: '23790' }).SWITCHYARD_LOCAL_ETCD_PORT).toBe(23790);
    expect(loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: 'free' }).SWITCHYARD_LOCAL_ETCD_PORT).toBe('free');
    expect(() => loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: 'any' })).toThrow(/SWITCHYARD_LOCAL_ETCD_PORT/);
    // What it takes, said where it is refused: 'Invalid input' named neither.
    for (const wrong of ['any', '', '0', '70000', '0x95B']) expect(() => loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: wrong })).toThrow(/SWITCHYARD_LOCAL_ETCD_PORT: must be a port 1–65535 in decimal digits, or "free"/);
  });

  describe('every numeric variable of the README configuration table', () => {
    // Rows whose default is a number: `| \`NAME\` | \`3000\` …`, the table a person configures from.
    const readme = readFileSync(path.join(import.meta.dirname, '../../README.md'), 'utf8');
    const numeric = [...readme.matchAll(/^\| `([A-Z_]+)` \| `(\d+)`/gm)].map(([, name = '', value = '']) => ({ name, value }));

    it('finds them (PORT, the probe, API, alert, session and retention settings)', () => {
      expect(numeric.map(({ name }) => name)).toEqual(expect.arrayContaining(['PORT', 'SWITCHYARD_LOCAL_ETCD_PORT', 'SWITCHYARD_PROBE_INTERVAL_MS', 'SWITCHYARD_SESSION_MAX_SECONDS', 'SWITCHYARD_ALERT_QUEUE_SIZE']));
      expect(numeric.length).toBeGreaterThanOrEqual(20);
    });

    it('takes its documented default written in decimal digits, leading zeros and all', () => {
      for (const { name, value } of numeric) {
        expect(loadConfig({ [name]: value })[name as keyof ReturnType<typeof loadConfig>]).toBe(Number(value));
        expect(loadConfig({ [name]: `00${value}` })[name as keyof ReturnType<typeof loadConfig>]).toBe(Number(value));
      }
    });

    it("refuses what is not plain decimal digits, naming the variable and what it takes: hex, exponents, spaces, trailing text, signs, fractions, nothing (z.coerce read '0x95B' as 2395, '1e3' as 1000, ' 80 ' as 80 and '' as 0)", () => {
      for (const { name, value } of numeric) {
        for (const wrong of ['0x95B', '1e3', ` ${value} `, `${value}abc`, `+${value}`, '-1', `${value}.5`, '']) {
          expect(() => loadConfig({ [name]: wrong }), `${name}=${JSON.stringify(wrong)}`).toThrow(new RegExp(`\\b${name}: must be .*in decimal digits`));
        }
      }
      expect(() => loadConfig({ PORT: '0x95B' })).toThrow('PORT: must be a whole number 0–65535 in decimal digits');
      expect(() => loadConfig({ SWITCHYARD_PROBE_INTERVAL_MS: '5e3' })).toThrow('SWITCHYARD_PROBE_INTERVAL_MS: must be a whole number 500–600000 in decimal digits');
      expect(() => loadConfig({ SWITCHYARD_PROBE_INTERVAL_MS: '100' })).toThrow('SWITCHYARD_PROBE_INTERVAL_MS: must be a whole number 500–600000 in decimal digits');
    });
  });

  it('quotes the value it refused, escaped, when short, so a stray CR shows (a Windows env file left PORT=3000\\r)', () => {
    expect(() => loadConfig({ PORT: '3000\r' })).toThrow('PORT: must be a whole number 0–65535 in decimal digits (got "3000\\r")');
    expect(() => loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: '2379\r' })).toThrow('SWITCHYARD_LOCAL_ETCD_PORT: must be a port 1–65535 in decimal digits, or "free" (got "2379\\r")');
    expect(() => loadConfig({ SWITCHYARD_PROBE_INTERVAL_MS: '100' })).toThrow('SWITCHYARD_PROBE_INTERVAL_MS: must be a whole number 500–600000 in decimal digits (got "100")');
    expect(() => loadConfig({ PORT: '' })).toThrow('PORT: must be a whole number 0–65535 in decimal digits (got "")');
    // An escape sequence or a bidi override is shown, not acted on; 12 characters at most.
    expect(() => loadConfig({ PORT: '\u001b[2J\u202e80' })).toThrow('(got "\\u001b[2J\\u202e80")');
    expect(() => loadConfig({ PORT: '65536.000000' })).toThrow('(got "65536.000000")');
  });

  it('quotes nothing of a longer value, which may hold a secret, but its length and its first character that is not a digit', () => {
    // A .env line missing its newline: the next line's secret ran into PORT's value.
    const run = () => loadConfig({ PORT: '3000 DATABASE_URL=postgres://u:pw@db/app' });
    expect(run).toThrow('PORT: must be a whole number 0–65535 in decimal digits (got 40 characters; character 5, " ", is not a digit)');
    expect(run).not.toThrow(/DATABASE_URL|pw/);
    expect(() => loadConfig({ PORT: `80\u001b${'x'.repeat(20)}` })).toThrow('(got 23 characters; character 3, "\\u001b", is not a digit)');
    expect(() => loadConfig({ SWITCHYARD_LOCAL_ETCD_PORT: 'free-port-please' })).toThrow('SWITCHYARD_LOCAL_ETCD_PORT: must be a port 1–65535 in decimal digits, or "free" (got 16 characters; character 1, "f", is not a digit)');
    expect(() => loadConfig({ PORT: '8'.repeat(100) })).toThrow('(got 100 digits)');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SWITCHYARD_CONTROL_PREFIX: 'switchyard' })).toThrow(/SWITCHYARD_CONTROL_PREFIX/);
  });

  it('parses per-service health thresholds and rejects bad ones by name', () => {
    const config = loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '{"search":{"warnLatencyMs":3000}}' });
    expect(config.SWITCHYARD_HEALTH_OVERRIDES).toEqual(new Map([['search', { warnLatencyMs: 3000 }]]));
    const prototypeNamed = loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '{"__proto__":{"failAfter":7},"toString":{"passAfter":2}}' }).SWITCHYARD_HEALTH_OVERRIDES;
    expect([...prototypeNamed]).toEqual([
      ['__proto__', { failAfter: 7 }],
      ['toString', { passAfter: 2 }],
    ]);
    expect(prototypeNamed.get('constructor')).toBeUndefined();
    expect(() => loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '{"search":{"failAfter":0}}' })).toThrow(/SWITCHYARD_HEALTH_OVERRIDES/);
    expect(() => loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: 'nope' })).toThrow(/SWITCHYARD_HEALTH_OVERRIDES/);
    expect(() => loadConfig({ SWITCHYARD_HEALTH_OVERRIDES: '[1]' })).toThrow(/SWITCHYARD_HEALTH_OVERRIDES/);
  });

  it('names the variable and the path of a certificate file it cannot read', () => {
    expect(() => loadConfig({ ETCD_ENDPOINTS: 'https://etcd:2379', ETCD_CA_FILE: missing })).toThrow(`ETCD_CA_FILE: cannot read ${missing} (ENOENT)`);
    expect(() => loadConfig({ TLS_CERT_FILE: missing, TLS_KEY_FILE: pem })).toThrow(`TLS_CERT_FILE: cannot read ${missing} (ENOENT)`);
    expect(() => loadConfig({ TLS_CERT_FILE: dir, TLS_KEY_FILE: pem })).toThrow(`TLS_CERT_FILE: ${dir} is not a file`);
    expect(() => readConfiguredFile('TLS_KEY_FILE', missing)).toThrow(`TLS_KEY_FILE: cannot read ${missing}`);
  });

  it('serves HTTPS only with both TLS_CERT_FILE and TLS_KEY_FILE', () => {
    expect(loadConfig({ TLS_CERT_FILE: pem, TLS_KEY_FILE: pem }).TLS_CERT_FILE).toBe(pem);
    expect(() => loadConfig({ TLS_CERT_FILE: pem })).toThrow(/TLS_KEY_FILE: must be set with TLS_CERT_FILE/);
    expect(() => loadConfig({ TLS_KEY_FILE: pem })).toThrow(/TLS_CERT_FILE: must be set with TLS_KEY_FILE/);
  });

  it('accepts the etcd TLS and auth settings that belong together', () => {
    const config = loadConfig({ ETCD_ENDPOINTS: 'https://etcd:2379', ETCD_CERT_FILE: pem, ETCD_KEY_FILE: pem, ETCD_USERNAME: 'switchyard', ETCD_PASSWORD: 'pw' });
    expect(config.ETCD_CERT_FILE).toBe(pem);
    expect(loadConfig({ ETCD_ENDPOINTS: 'https://etcd:2379' }).ETCD_ENDPOINTS).toEqual(['https://etcd:2379']);
  });

  it('refuses etcd settings that cannot work together, each by name', () => {
    expect(() => loadConfig({ ETCD_ENDPOINTS: 'https://etcd:2379', ETCD_CERT_FILE: pem })).toThrow(/ETCD_KEY_FILE: must be set with ETCD_CERT_FILE/);
    expect(() => loadConfig({ ETCD_ENDPOINTS: 'http://etcd:2379', ETCD_CA_FILE: pem })).toThrow(/ETCD_ENDPOINTS: use https:\/\/ endpoints with ETCD_CA_FILE/);
    expect(() => loadConfig({ ETCD_ENDPOINTS: 'https://a:2379,http://b:2379' })).toThrow(/ETCD_ENDPOINTS: mixes http:\/\/ and https:\/\//);
    expect(() => loadConfig({ ETCD_USERNAME: 'switchyard', ETCD_PASSWORD: 'pw' })).toThrow(/ETCD_ENDPOINTS: must be set with ETCD_USERNAME/);
    expect(() => loadConfig({ ETCD_ENDPOINTS: 'http://etcd:2379', ETCD_PASSWORD: 'pw' })).toThrow(/ETCD_USERNAME: must be set with ETCD_PASSWORD/);
  });
});

describe('store settings', () => {
  it('takes a PostgreSQL URL and refuses anything else by name, without echoing the password', () => {
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://switchyard:pw@db:5432/switchyard' }).DATABASE_URL).toBe('postgres://switchyard:pw@db:5432/switchyard');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/switchyard' }).DATABASE_URL).toBe('postgresql://db/switchyard');
    for (const bad of ['mysql://root:s3cret@db/switchyard', 'db:5432/switchyard', 'sqlite:///data/history.sqlite']) {
      expect(() => loadConfig({ DATABASE_URL: bad })).toThrow(/DATABASE_URL: must be a PostgreSQL URL/);
    }
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:s3cret@db/switchyard' })).not.toThrow(/s3cret/);
  });
});

describe('access settings', () => {
  it('keeps only the origin of the public URL and refuses other schemes', () => {
    expect(loadConfig({ SWITCHYARD_PUBLIC_URL: 'https://switchyard.example.com/some/path' }).SWITCHYARD_PUBLIC_URL).toBe('https://switchyard.example.com');
    expect(() => loadConfig({ SWITCHYARD_PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/SWITCHYARD_PUBLIC_URL/);
  });

  it('refuses a short first-admin password by name', () => {
    expect(() => loadConfig({ SWITCHYARD_ADMIN_PASSWORD: 'short' })).toThrow(/SWITCHYARD_ADMIN_PASSWORD: must be at least 12 characters/);
  });

  it('defaults sessions to 12 h idle and 7 days in all', () => {
    const config = loadConfig({});
    expect(config.SWITCHYARD_SESSION_IDLE_SECONDS).toBe(43_200);
    expect(config.SWITCHYARD_SESSION_MAX_SECONDS).toBe(604_800);
  });

  it('keeps persisted latency series 7 days by default, 1–90 days when set, and refuses other values by name', () => {
    expect(loadConfig({}).SWITCHYARD_SERIES_RETENTION_DAYS).toBe(7);
    expect(loadConfig({ SWITCHYARD_SERIES_RETENTION_DAYS: '30' }).SWITCHYARD_SERIES_RETENTION_DAYS).toBe(30);
    for (const value of ['0', '91', '1.5', 'week']) expect(() => loadConfig({ SWITCHYARD_SERIES_RETENTION_DAYS: value })).toThrow(/SWITCHYARD_SERIES_RETENTION_DAYS/);
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

describe('alert settings', () => {
  it('takes several Alertmanagers, a webhook with its secret and format, and rules; defaults otherwise', () => {
    const defaults = loadConfig({});
    expect(defaults.SWITCHYARD_ALERTMANAGER_URL).toBeUndefined();
    expect(defaults.SWITCHYARD_ALERT_WEBHOOK_FORMAT).toBe('json');
    expect(defaults.SWITCHYARD_ALERT_RESEND_SECONDS).toBe(60);
    expect(defaults.SWITCHYARD_ALERT_RULES.defaults.criticalForSeconds).toBe(60);
    const config = loadConfig({
      SWITCHYARD_ALERTMANAGER_URL: 'http://am-1:9093, https://user:pw@am-2',
      SWITCHYARD_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x',
      SWITCHYARD_ALERT_WEBHOOK_SECRET: 'a-secret-of-16-chars',
      SWITCHYARD_ALERT_WEBHOOK_FORMAT: 'slack',
      SWITCHYARD_ALERT_RULES: '{"services":{"batch":{"criticalForSeconds":600}}}',
    });
    expect(config.SWITCHYARD_ALERTMANAGER_URL).toEqual(['http://am-1:9093', 'https://user:pw@am-2']);
    expect(config.SWITCHYARD_ALERT_RULES.services.get('batch')).toEqual({ criticalForSeconds: 600 });
  });

  it('refuses bad alert settings by name', () => {
    expect(() => loadConfig({ SWITCHYARD_ALERTMANAGER_URL: 'ftp://am' })).toThrow(/SWITCHYARD_ALERTMANAGER_URL/);
    expect(() => loadConfig({ SWITCHYARD_ALERT_RULES: '{"defaults":{"criticalForSeconds":-1}}' })).toThrow(/SWITCHYARD_ALERT_RULES/);
    expect(() => loadConfig({ SWITCHYARD_ALERT_RULES: 'nope' })).toThrow(/SWITCHYARD_ALERT_RULES: must be JSON/);
    expect(() => loadConfig({ SWITCHYARD_ALERT_RESEND_SECONDS: '1' })).toThrow(/SWITCHYARD_ALERT_RESEND_SECONDS/);
    expect(() => loadConfig({ SWITCHYARD_ALERT_WEBHOOK_SECRET: 'a-secret-of-16-chars' })).toThrow(/SWITCHYARD_ALERT_WEBHOOK_URL: must be set with SWITCHYARD_ALERT_WEBHOOK_SECRET/);
  });
});
