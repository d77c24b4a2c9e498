import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage } from '../support/browser';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startOidcProvider, testOidcAccounts, testOidcRoleMap, type TestOidcProvider } from '../support/oidc';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * Real Chromium, the real product and a real OpenID Connect provider process: the login page's
 * single sign-on button, the provider's own form, and back to the page the user asked for.
 */
let provider: TestOidcProvider;
let etcd: TestEtcd;
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  // The product's port is known only once it starts; the fixture accepts any loopback port (RFC 8252).
  provider = await startOidcProvider({ redirectUris: ['http://127.0.0.1/api/v1/auth/oidc/callback'], anyLoopbackPort: true });
  etcd = await startEtcd();
  await etcd.put('/services/orders/o-1', JSON.stringify({ address: '127.0.0.1:1' }));
  server = await startServer({
    etcdEndpoints: etcd.endpoints,
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_ROLE_MAP: testOidcRoleMap,
      OIDC_SCOPES: 'openid profile groups',
      OIDC_DISPLAY_NAME: 'Test SSO',
    },
  });
  await eventually(async () => ((await server.fetch('/readyz')).ok ? true : undefined), 15_000, 'ready');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await etcd?.stop();
  await provider?.stop();
});

/** Opens a console page signed out, takes the single sign-on button, and logs in at the provider. */
async function signInWithSso(user: keyof typeof testOidcAccounts, password: string): Promise<Page> {
  const { page } = await openPage(browser);
  await page.goto(`${server.url}/services/orders`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('link', { name: 'Sign in with Test SSO' }).click();
  await expect.poll(() => page.url()).toContain(`${provider.issuer}/interaction/`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
  return page;
}

describe('single sign-on in Chromium', () => {
  it('alice signs in through the provider and lands where she was going, as an operator', async () => {
    const page = await signInWithSso('alice', testOidcAccounts.alice.password);
    await page.waitForURL(`${server.url}/services/orders`);
    await page.getByRole('heading', { name: 'orders' }).first().waitFor();
    expect(await page.locator('.user-menu__summary').getAttribute('aria-label')).toBe('Signed in as alice, role operator');
    await page.getByRole('button', { name: 'Drain o-1' }).waitFor();
    const users = (await (await server.fetch('/api/v1/users')).json()) as { users: { name: string; source: string; role: string }[] };
    expect(users.users).toContainEqual(expect.objectContaining({ name: 'alice', source: 'oidc', role: 'operator' }));
    await page.context().close();
  });

  it('bob authenticates at the provider but has no role here: back at the login page, told why', async () => {
    const page = await signInWithSso('bob', testOidcAccounts.bob.password);
    await page.waitForURL(/\/login\?/);
    expect(await page.locator('#login-error').textContent()).toMatch(/no role in Switchyard/);
    expect((await page.context().cookies()).some((cookie) => cookie.name.includes('switchyard_session'))).toBe(false);
    await page.context().close();
  });

  it('a wrong password keeps the browser at the provider', async () => {
    const page = await signInWithSso('carol', 'guess');
    expect(await page.locator('body').innerText()).toContain('Wrong username or password.');
    await page.context().close();
  });
});
