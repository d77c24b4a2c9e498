import { describe, expect, it } from 'vitest';
import { loginPath, safeNextPath } from './next-path';

describe('safeNextPath', () => {
  it.each([
    ['/services/orders?window=1h', '/services/orders?window=1h'],
    ['/?service=payments&by=zone', '/?service=payments&by=zone'],
    ['/history?_rsc=abc&kind=health.changed', '/history?kind=health.changed'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    // Dot segments resolved into a leading `//`: another host once the browser reads it.
    ['/.//evil.example/x', '/'],
    ['/%2e//evil.example', '/'],
    ['/%2E%2E//evil.example', '/'],
    ['/a/..//evil.example', '/'],
    ['/./\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/login?next=/x', '/'],
    ['', '/'],
    [null, '/'],
  ])('%s → %s', (candidate, expected) => {
    expect(safeNextPath(candidate)).toBe(expected);
  });

  it('builds the login link with the page to come back to', () => {
    expect(loginPath('/services/a b')).toBe('/login?next=%2Fservices%2Fa%2520b');
    expect(loginPath('/')).toBe('/login');
  });
});
