import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcLogin, OidcLoginError, PendingOidcLoginSchema } from '@/lib/server/auth/oidc';
import { parseRoleMap } from '@/lib/server/auth/oidc-roles';
import { launchBrowser, openPage } from '../support/browser';
import { startOidcProvider, testOidcAccounts, testOidcRoleMap, type TestOidcProvider } from '../support/oidc';

/**
 * Real Chromium through the real provider's login form. Until the product's routes exist, a tiny
 * app stands in for them: /start and /callback do what GET /api/v1/auth/oidc/{start,callback} will
 * (the pending login in a short-lived HttpOnly cookie). Its port is chosen after the provider
 * starts, which the fixture's `anyLoopbackPort` allows.
 */
let provider: TestOidcProvider;
let app: http.Server;
let appUrl: string;
let browser: Browser;

beforeAll(async () => {
  provider = await startOidcProvider({ redirectUris: ['http://127.0.0.1/callback'], anyLoopbackPort: true });
  const roleMap = parseRoleMap(testOidcRoleMap);
  if (!roleMap.ok) throw new Error(roleMap.error);
  const login = await createOidcLogin({
    issuer: new URL(provider.issuer),
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    roleClaim: 'groups',
    roleMap: roleMap.map,
    scopes: ['openid', 'profile', 'groups'],
  });
  app = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', appUrl);
    const answer = async (): Promise<void> => {
      if (url.pathname === '/start') {
        const { url: authorizationUrl, pending } = await login.begin(`${appUrl}/callback`, '/after');
        const cookie = Buffer.from(JSON.stringify(pending)).toString('base64url');
        response.writeHead(302, { location: authorizationUrl.href, 'set-cookie': `oidc_pending=${cookie}; HttpOnly; SameSite=Lax; Path=/; Max-Age=600` });
        response.end();
        return;
      }
      const cookie = /(?:^|; )oidc_pending=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      if (url.pathname !== '/callback' || !cookie) {
        response.writeHead(404).end();
        return;
      }
      const pending = PendingOidcLoginSchema.parse(JSON.parse(Buffer.from(cookie, 'base64url').toString()));
      try {
        const identity = await login.complete(url, pending);
        response.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'oidc_pending=; Path=/; Max-Age=0' });
        response.end(`signed in as ${identity.name} (${identity.role}), back to ${pending.returnTo}`);
      } catch (error) {
        response.writeHead(403, { 'content-type': 'text/plain' }).end(error instanceof OidcLoginError ? error.message : 'error');
      }
    };
    answer().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  app?.closeAllConnections();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  await provider?.stop();
});

async function signInWithBrowser(user: keyof typeof testOidcAccounts, password: string): Promise<string> {
  const { page } = await openPage(browser);
  await page.goto(`${appUrl}/start`);
  await expect.poll(() => page.url()).toContain(`${provider.issuer}/interaction/`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
  const text = (await page.locator('body').innerText()).trim();
  await page.context().close();
  return text;
}

describe('OIDC login in Chromium', () => {
  it('alice signs in through the provider form and comes back an operator', async () => {
    expect(await signInWithBrowser('alice', testOidcAccounts.alice.password)).toBe('signed in as alice (operator), back to /after');
  });

  it('bob signs in at the provider but is refused for want of a role', async () => {
    expect(await signInWithBrowser('bob', testOidcAccounts.bob.password)).toMatch(/^Your account has no role in Switchyard/);
  });

  it('a wrong password keeps the browser at the provider', async () => {
    expect(await signInWithBrowser('carol', 'guess')).toContain('Wrong username or password.');
  });
});
