import { describe, expect, it } from 'vitest';
import { claimValues, parseRoleMap, roleForClaimValues, type RoleMap } from './oidc-roles';

function parsed(text: string): RoleMap {
  const result = parseRoleMap(text);
  if (!result.ok) throw new Error(result.error);
  return result.map;
}

describe('parseRoleMap', () => {
  it('maps claim values to roles, trimming spaces and skipping empty entries', () => {
    expect([...parsed(' sre-oncall = operator , platform=admin,, ')]).toEqual([
      ['sre-oncall', 'operator'],
      ['platform', 'admin'],
    ]);
  });

  it('splits on the last "=" so values may contain one', () => {
    expect([...parsed('team=a=viewer')]).toEqual([['team=a', 'viewer']]);
  });

  it('accepts the same pair twice but refuses one value mapped to two roles', () => {
    expect(parsed('ops=operator,ops=operator').size).toBe(1);
    expect(parseRoleMap('ops=operator,ops=admin')).toEqual({ ok: false, error: '"ops" is mapped twice, to operator and to admin' });
  });

  it('says what is wrong with a bad entry', () => {
    expect(parseRoleMap('ops=root')).toEqual({ ok: false, error: '"root" in "ops=root" is not a role (viewer, operator or admin)' });
    expect(parseRoleMap('ops')).toMatchObject({ ok: false, error: expect.stringContaining('"ops" is not claim-value=role') });
    expect(parseRoleMap('=admin')).toMatchObject({ ok: false, error: expect.stringContaining('"=admin"') });
    expect(parseRoleMap(' , ')).toMatchObject({ ok: false, error: expect.stringContaining('maps no claim value') });
  });

  it('keeps "__proto__" as an ordinary claim value', () => {
    const map = parsed('__proto__=admin');
    expect(map.get('__proto__')).toBe('admin');
    expect(map.get('constructor')).toBeUndefined();
  });
});

describe('claimValues', () => {
  it('reads a string or the strings of an array', () => {
    expect(claimValues({ groups: 'ops' }, 'groups')).toEqual(['ops']);
    expect(claimValues({ groups: ['ops', 3, null, 'dev'] }, 'groups')).toEqual(['ops', 'dev']);
  });

  it('gives nothing for a missing or non-string claim', () => {
    expect(claimValues({}, 'groups')).toEqual([]);
    expect(claimValues({ groups: { ops: true } }, 'groups')).toEqual([]);
    expect(claimValues({ groups: 7 }, 'groups')).toEqual([]);
  });

  it('prefers a claim named with dots over a nested path, and follows the path otherwise', () => {
    expect(claimValues({ 'https://example.com/roles': ['ops'] }, 'https://example.com/roles')).toEqual(['ops']);
    expect(claimValues({ realm_access: { roles: ['admins'] } }, 'realm_access.roles')).toEqual(['admins']);
    expect(claimValues({ 'a.b': 'flat', a: { b: 'nested' } }, 'a.b')).toEqual(['flat']);
  });

  it('does not walk into inherited properties', () => {
    expect(claimValues({}, 'constructor.name')).toEqual([]);
    expect(claimValues({}, 'toString')).toEqual([]);
  });
});

describe('roleForClaimValues', () => {
  const map = parsed('readers=viewer,sre-oncall=operator,platform=admin');

  it('gives the highest mapped role, whatever the order', () => {
    expect(roleForClaimValues(['sre-oncall'], map)).toBe('operator');
    expect(roleForClaimValues(['platform', 'sre-oncall'], map)).toBe('admin');
    expect(roleForClaimValues(['sre-oncall', 'readers', 'platform'], map)).toBe('admin');
    expect(roleForClaimValues(['readers', 'sre-oncall'], map)).toBe('operator');
  });

  it('falls back to the default role only when nothing maps', () => {
    expect(roleForClaimValues(['interns'], map)).toBeUndefined();
    expect(roleForClaimValues([], map, 'viewer')).toBe('viewer');
    expect(roleForClaimValues(['platform'], map, 'viewer')).toBe('admin');
  });

  it('matches values exactly (case matters, as providers send them)', () => {
    expect(roleForClaimValues(['Platform'], map)).toBeUndefined();
  });
});
