import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Agent } from 'undici';
import { ADMIN_PASSWORD, type TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

const screenshots = path.resolve(import.meta.dirname, '../../test-results');

async function roleOf(server: TestServer, name: string): Promise<string | undefined> {
  const { users } = (await (await server.fetch('/api/v1/users')).json()) as { users: { name: string; role: string }[] };
  return users.find((user) => user.name === name)?.role;
}

describe('the Access page in Chromium', () => {
  let stack: BrowserStack;
  let server: TestServer;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    stack = await startBrowserStack();
    ({ server, page, errors } = stack);
    await server.userSession('e2e-rita', 'viewer');
  });

  // A page of each test's own: a console error in one test is not charged to the next. The page
  // before it is closed here, not after its test, so a failure's report (tests/support/e2e-failure.ts) can show it.
  beforeEach(async () => {
    await page.context().close();
    ({ page, errors } = await stack.freshPage());
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('asks before a role change, and sends nothing when cancelled', async () => {
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    const select = page.getByLabel('Role of e2e-rita');
    await select.selectOption('operator');
    const promote = page.getByRole('dialog', { name: 'Promote e2e-rita to operator?' });
    await promote.waitFor();
    expect(await promote.textContent()).toContain('will be able to drain and undrain instances');
    await page.screenshot({ path: path.join(screenshots, 'access-role-confirm.png') });
    await promote.getByRole('button', { name: 'Cancel' }).click();
    await promote.waitFor({ state: 'detached' });
    expect(await select.inputValue()).toBe('viewer');
    expect(await roleOf(server, 'e2e-rita')).toBe('viewer');

    await select.selectOption('operator');
    await page.getByRole('dialog', { name: 'Promote e2e-rita to operator?' }).getByRole('button', { name: 'Make operator' }).click();
    await expect.poll(() => roleOf(server, 'e2e-rita')).toBe('operator');
    await expect.poll(() => select.inputValue()).toBe('operator');

    await select.selectOption('viewer');
    const demote = page.getByRole('dialog', { name: 'Demote e2e-rita to viewer?' });
    expect(await demote.textContent()).toContain('Their sessions end now');
    await demote.getByRole('button', { name: 'Make viewer' }).click();
    await expect.poll(() => roleOf(server, 'e2e-rita')).toBe('viewer');
    expect(errors).toEqual([]);
  });

  it('unlocks a locked account from its row', async () => {
    // A name of this attempt's own: a retry finds the first attempt's user already there.
    const lola = `e2e-lola-${randomBytes(3).toString('hex')}`;
    await server.userSession(lola, 'viewer');
    for (let i = 0; i < 5; i += 1) {
      await server.fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: lola, password: `wrong-password-${i}` }) });
    }
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    const row = page.getByRole('row').filter({ hasText: lola });
    await row.getByText(/Locked until/).waitFor();
    await page.screenshot({ path: path.join(screenshots, 'access-locked-user.png') });
    await row.getByRole('button', { name: 'Unlock' }).click();
    await row.getByText('Active', { exact: true }).waitFor();
    expect(await row.getByText(/Locked until/).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lists an address whose sign-ins are paused, and clears the pause', async () => {
    const elsewhere = new Agent({ localAddress: '127.0.0.21' });
    const signIn = async (username: string, password: string): Promise<number> =>
      (
        await globalThis.fetch(`${server.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
          dispatcher: elsewhere,
        } as RequestInit)
      ).status;
    try {
      // Someone guessing other accounts from the admin's address.
      for (let i = 0; i < 20; i += 1) await signIn(`guessed-${i}`, 'wrong-password-1');
      expect(await signIn('admin', ADMIN_PASSWORD)).toBe(429);
      await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
      const row = page.getByRole('region', { name: 'Paused addresses' }).getByRole('row').filter({ hasText: '127.0.0.21' });
      await row.getByText('10 min more').waitFor();
      await page.screenshot({ path: path.join(screenshots, 'access-paused-address.png') });
      await row.getByRole('button', { name: 'Clear pause' }).click();
      await page.getByRole('region', { name: 'Paused addresses' }).waitFor({ state: 'detached' });
      expect(await signIn('admin', ADMIN_PASSWORD)).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });
});
