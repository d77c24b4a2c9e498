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
});
