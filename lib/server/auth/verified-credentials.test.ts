import { describe, expect, it } from 'vitest';
import type { Principal } from '@/lib/model/auth';
import { createVerifiedCredentials, unexpired, type VerifiedCredential } from './verified-credentials';

const entry = (credentialId: string, verifiedMs: number, expiresMs: number | null = null): VerifiedCredential => ({
  principal: { kind: 'token', name: credentialId, role: 'viewer', credentialId } satisfies Principal,
  expiresMs,
  verifiedMs,
  touchedMs: verifiedMs,
});

describe('verified credentials', () => {
  it('answers for a credential only under the asked age since the database vouched for it', () => {
    const verified = createVerifiedCredentials(10);
    verified.set('h1', entry('t1', 1_000));
    expect(verified.get('h1', 1_000 + 59_999, 60_000)?.principal.credentialId).toBe('t1');
    expect(verified.get('h1', 1_000 + 60_000, 60_000)).toBeUndefined();
    // The same entry, asked for a shorter trust (the token cache's 10 s).
    expect(verified.get('h1', 1_000 + 10_000, 10_000)).toBeUndefined();
    // A new verification starts the window again.
    verified.set('h1', entry('t1', 70_000));
    expect(verified.get('h1', 129_999, 60_000)).toBeDefined();
  });

  it('holds at most its bound, dropping the least recently verified first', () => {
    const verified = createVerifiedCredentials(100);
    for (let i = 0; i < 100; i += 1) verified.set(`h${i}`, entry(`t${i}`, i));
    // h0 verified again: now the most recent.
    verified.set('h0', entry('t0', 500));
    verified.set('h100', entry('t100', 501));
    expect(verified.size).toBeLessThanOrEqual(100);
    expect(verified.get('h1', 502, 60_000)).toBeUndefined();
    expect(verified.get('h0', 502, 60_000)).toBeDefined();
    expect(verified.get('h100', 502, 60_000)).toBeDefined();
    for (let i = 101; i < 10_000; i += 1) verified.set(`h${i}`, entry(`t${i}`, i));
    expect(verified.size).toBeLessThanOrEqual(100);
  });

  it('forgets every entry of a revoked credential id at once', () => {
    const verified = createVerifiedCredentials(10);
    verified.set('h1', entry('t1', 0));
    verified.set('h2', entry('t2', 0));
    verified.forget(new Set(['t1']));
    expect(verified.get('h1', 1, 60_000)).toBeUndefined();
    expect(verified.get('h2', 1, 60_000)).toBeDefined();
  });

  it('takes keys from clients as plain strings, prototype names included', () => {
    const verified = createVerifiedCredentials(10);
    expect(verified.get('__proto__', 0, 60_000)).toBeUndefined();
    expect(verified.get('constructor', 0, 60_000)).toBeUndefined();
  });

  it('says null for a credential past its own expiry, whatever the database said before', () => {
    expect(unexpired(entry('t1', 0, 5_000), 4_999)?.credentialId).toBe('t1');
    expect(unexpired(entry('t1', 0, 5_000), 5_000)).toBeNull();
    expect(unexpired(entry('t1', 0, null), Number.MAX_SAFE_INTEGER)?.credentialId).toBe('t1');
  });
});
