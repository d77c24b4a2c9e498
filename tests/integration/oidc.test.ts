import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcLogin, OidcLoginError, PendingOidcLoginSchema, type OidcLogin, type OidcSettings, type PendingOidcLogin } from '@/lib/server/auth/oidc';
import { parseRoleMap } from '@/lib/server/auth/oidc-roles';
import { freePort } from '@/lib/server/etcd/local';
import { loginAtProvider, startOidcProvider, testOidcAccounts, testOidcRoleMap, type TestOidcProvider } from '../support/oidc';

// The app's callback; nothing listens there: the test plays the browser and stops at the redirect.
const redirectUri = 'http://127.0.0.1:3999/api/v1/auth/oidc/callback';

let provider: TestOidcProvider;
let settings: OidcSettings;
let login: OidcLogin;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: [redirectUri] });
  const roleMap = parseRoleMap(testOidcRoleMap);
  if (!roleMap.ok) throw new Error(roleMap.error);
  settings = {
    issuer: new URL(provider.issuer),
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    roleClaim: 'groups',
    roleMap: roleMap.map,
    scopes: ['openid', 'profile', 'groups'],
  };
  login = await createOidcLogin(settings);
});

afterAll(async () => {
  await provider?.stop();
});

/** begin → the provider's login form as `user` → the URL the browser would land on. */
async function signIn(user: keyof typeof testOidcAccounts, using: OidcLogin = login): Promise<{ callbackUrl: URL; pending: PendingOidcLogin }> {
  const { url, pending } = await using.begin(redirectUri, '/services?zone=a');
  const callbackUrl = await loginAtProvider(url, user, testOidcAccounts[user].password);
  return { callbackUrl, pending };
}

async function failure(promise: Promise<unknown>): Promise<OidcLoginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OidcLoginError)) throw new Error(`expected an OidcLoginError, got ${String(error)}`);
  return error;
}

describe('OIDC login against a real provider', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { url, pending } = await login.begin(redirectUri, '/services?zone=a');
    expect(url.origin).toBe(provider.issuer);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: provider.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid profile groups',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('code_challenge')).not.toContain(pending.codeVerifier);
    expect(pending).toMatchObject({ returnTo: '/services?zone=a', redirectUri });
    expect(PendingOidcLoginSchema.parse(JSON.parse(JSON.stringify(pending)))).toEqual(pending);
    const again = await login.begin(redirectUri, 'https://evil.example/');
    expect(again.pending.returnTo).toBe('/');
    expect(again.pending.state).not.toBe(pending.state);
  });

  it('signs alice in as an operator', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(redirectUri);
    expect(callbackUrl.searchParams.get('state')).toBe(pending.state);
    await expect(login.complete(callbackUrl, pending)).resolves.toEqual({ issuer: provider.issuer, subject: 'alice', name: 'alice', role: 'operator' });
  });

  it('gives carol the highest of her mapped roles', async () => {
    const { callbackUrl, pending } = await signIn('carol');
    await expect(login.complete(callbackUrl, pending)).resolves.toMatchObject({ name: 'carol', role: 'admin' });
  });

  it('refuses a wrong password at the provider', async () => {
    const { url } = await login.begin(redirectUri, '/');
    await expect(loginAtProvider(url, 'alice', 'not-her-password')).rejects.toThrow(/HTTP 401.*Wrong username or password/s);
  });

  it('refuses a callback whose state is not the pending one', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    const error = await failure(login.complete(callbackUrl, { ...pending, state: 'someone-elses-state' }));
    expect(error.reason).toBe('state-mismatch');
    expect(error.message).toMatch(/does not belong to the sign-in this browser started/);
  });

  it('refuses a code used twice', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    await expect(login.complete(callbackUrl, pending)).resolves.toMatchObject({ role: 'operator' });
    const error = await failure(login.complete(callbackUrl, pending));
    expect(error.reason).toBe('rejected');
    expect(error.message).toBe('The sign-in could not be verified with the identity provider. Please sign in again.');
    expect(String((error.cause as { error?: string }).error)).toBe('invalid_grant');
  });

  it('refuses a tampered PKCE verifier', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    const error = await failure(login.complete(callbackUrl, { ...pending, codeVerifier: `${pending.codeVerifier.slice(0, -4)}AAAA` }));
    expect(error.reason).toBe('rejected');
    expect(String((error.cause as { error?: string }).error)).toBe('invalid_grant');
  });

  it('refuses an ID token whose nonce is not the pending one', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    const error = await failure(login.complete(callbackUrl, { ...pending, nonce: 'another-nonce' }));
    expect(error.reason).toBe('rejected');
    expect(String((error.cause as { cause?: { message?: string } }).cause?.message)).toMatch(/"nonce"/);
  });

  it('refuses a login older than ten minutes', async () => {
    const { callbackUrl, pending } = await signIn('alice');
    const error = await failure(login.complete(callbackUrl, { ...pending, startedAt: Date.now() - 11 * 60_000 }));
    expect(error.reason).toBe('expired');
  });

  it('refuses a user whose groups map to no role, unless a default role is set', async () => {
    const refused = await signIn('bob');
    const error = await failure(login.complete(refused.callbackUrl, refused.pending));
    expect(error.reason).toBe('no-role');
    expect(error.message).toBe('Your account has no role in Switchyard: none of its "groups" values is mapped to a role. Ask an administrator for access.');

    const withDefault = await createOidcLogin({ ...settings, defaultRole: 'viewer' });
    const allowed = await signIn('bob', withDefault);
    await expect(withDefault.complete(allowed.callbackUrl, allowed.pending)).resolves.toEqual({ issuer: provider.issuer, subject: 'bob', name: 'bob', role: 'viewer' });
  });

  it('reports an error the provider sends back instead of a code', async () => {
    const { pending } = await login.begin(redirectUri, '/');
    const callbackUrl = new URL(redirectUri);
    callbackUrl.search = new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state: pending.state, iss: provider.issuer }).toString();
    const error = await failure(login.complete(callbackUrl, pending));
    expect(error.reason).toBe('refused');
    expect(error.message).toBe('The identity provider did not sign you in (access_denied).');
  });

  it('fails clearly, without crashing, when the provider cannot be reached at discovery', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(createOidcLogin({ ...settings, issuer: new URL(nobody) }));
    expect(error.reason).toBe('unavailable');
    expect(error.message).toBe(`Single sign-on is unavailable: the identity provider at ${nobody}/ could not be reached or did not answer as an OpenID Connect provider.`);
  });

  it('refuses a plain-HTTP issuer that is not on loopback before any request', async () => {
    const error = await failure(createOidcLogin({ ...settings, issuer: new URL('http://sso.example.com') }));
    expect(error.reason).toBe('misconfigured');
    expect(error.message).toMatch(/OIDC_ISSUER must use https:\/\//);
  });
});
