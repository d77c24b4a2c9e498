import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS, useTestHistory } from '@/tests/support/store-dialects';
import { PENDING_LOGIN_MAX_AGE_MS, type PendingOidcLogin } from './oidc';
import { createOidcPendingStore } from './oidc-pending';

const T0 = Date.parse('2026-12-06T09:00:00Z');

const login = (n: number, startedAt = T0): PendingOidcLogin => ({
  state: `state-${n}`,
  nonce: `nonce-${n}`,
  codeVerifier: 'v'.repeat(43) + String(n),
  returnTo: `/services/s-${n}`,
  redirectUri: 'https://switchyard.example.com/api/v1/auth/oidc/callback',
  startedAt,
});

describe.each(STORE_DIALECTS)('pending single sign-on logins on %s', (dialect) => {
  const history = useTestHistory(dialect);

  it('gives a login back once, to whichever replica takes it, and keeps only a hash of the id', async () => {
    let now = T0;
    const one = createOidcPendingStore({ db: history().db, now: () => now });
    const other = createOidcPendingStore({ db: history().db, now: () => now });
    expect(await one.put('cookie-id-1', '10.0.0.1', login(1))).toEqual({ ok: true });
    expect(await one.put('cookie-id-2', '10.0.0.1', login(2))).toEqual({ ok: true });
    const rows = await history().db.selectFrom('oidc_pending').selectAll().execute();
    expect(rows.map((row) => row.id)).not.toContain('cookie-id-1');
    now += 60_000;
    // Another replica (the same database), as the provider's callback may land anywhere.
    expect(await other.take('cookie-id-1')).toEqual(login(1));
    expect(await one.take('cookie-id-1')).toBeUndefined();
    expect(await other.take('nobody')).toBeUndefined();
    expect(await one.take('cookie-id-2')).toEqual(login(2));
  });

  it('forgets a login older than the limit, and prunes such rows when another begins', async () => {
    let now = T0;
    const store = createOidcPendingStore({ db: history().db, now: () => now });
    await store.put('old', '10.0.0.1', login(1));
    await store.put('older-still-kept', '10.0.0.2', login(2));
    now += PENDING_LOGIN_MAX_AGE_MS + 1;
    expect(await store.take('old')).toBeUndefined();
    await store.put('new', '10.0.0.3', login(3, now));
    expect((await history().db.selectFrom('oidc_pending').select('client').execute()).map((row) => row.client)).toEqual(['10.0.0.3']);
  });

  it('refuses an address past its cap (with when to retry) and never evicts another address’s login', async () => {
    let now = T0;
    const store = createOidcPendingStore({ db: history().db, now: () => now, maxPerAddress: 3, maxPending: 5 });
    expect(await store.put('victim', '10.0.0.9', login(9))).toEqual({ ok: true });
    now += 60_000;
    for (let n = 0; n < 3; n += 1) expect(await store.put(`flood-${n}`, '203.0.113.7', login(n))).toEqual({ ok: true });
    // The flood's oldest ages out 9 minutes from now.
    expect(await store.put('flood-3', '203.0.113.7', login(3))).toEqual({ ok: false, retryAfterSeconds: 600 });
    expect(await store.put('flood-4', '203.0.113.7', login(4))).toMatchObject({ ok: false });
    // Everyone together: the global cap refuses newcomers too (until the oldest of all, the victim's, ages out), but no one's pending login goes.
    expect(await store.put('second', '198.51.100.1', login(5))).toEqual({ ok: true });
    now += 30_000;
    expect(await store.put('third', '198.51.100.2', login(6))).toEqual({ ok: false, retryAfterSeconds: 510 });
    expect(await store.take('victim')).toEqual(login(9));
    expect(await store.take('second')).toEqual(login(5));
    // Its own logins come back (or age out): the address may begin again.
    expect(await store.take('flood-0')).toEqual(login(0));
    expect(await store.put('flood-5', '203.0.113.7', login(5))).toEqual({ ok: true });
  });

  it('refuses a stored login that does not parse (another version, or a hand-made row)', async () => {
    const store = createOidcPendingStore({ db: history().db, now: () => T0 });
    await store.put('tampered', '10.0.0.1', login(1));
    await history().db.updateTable('oidc_pending').set({ login: '{"state":"x"}' }).execute();
    expect(await store.take('tampered')).toBeUndefined();
    await store.put('garbage', '10.0.0.1', login(2));
    await history().db.updateTable('oidc_pending').set({ login: 'not json' }).execute();
    expect(await store.take('garbage')).toBeUndefined();
  });
});
