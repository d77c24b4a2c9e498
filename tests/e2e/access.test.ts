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

  // A name cell was a `.truncate` td: display: block made it a block in an anonymous cell, its words at the row's top.
  it('centres every cell’s words on its row’s middle in the Users and API tokens tables at 1440 px', async () => {
    const created = await server.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `e2e-deploy-${randomBytes(3).toString('hex')}`, role: 'operator', service: 'payments' }) });
    expect(created.status).toBe(201);
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    const tables = page.locator('table.table');
    await page.getByRole('row').filter({ hasText: 'e2e-deploy-' }).waitFor();
    const cells = await tables.evaluateAll((found) =>
      found.flatMap((table) =>
        [...table.querySelectorAll('tbody tr')].flatMap((row) => {
          const rowBox = row.getBoundingClientRect();
          return [...row.children].map((cell) => {
            // Its visible words' lines (not a screen reader's text, placed out of sight).
            const lines: DOMRect[] = [];
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              if (node.parentElement?.closest('.visually-hidden, option')) continue;
              const range = document.createRange();
              range.selectNodeContents(node);
              lines.push(...[...range.getClientRects()].filter((rect) => rect.width > 0 && rect.height > 0));
            }
            const header = table.querySelectorAll('thead th')[(cell as HTMLTableCellElement).cellIndex]?.textContent?.trim() ?? '';
            const offCentre = lines.length === 0 ? 0 : (Math.min(...lines.map((rect) => rect.top)) + Math.max(...lines.map((rect) => rect.bottom))) / 2 - (rowBox.top + rowBox.bottom) / 2;
            return { where: `${header}: ${(cell.textContent ?? '').trim().slice(0, 40)}`, offCentre };
          });
        }),
      ),
    );
    expect(cells.some(({ where }) => where.startsWith('Name: e2e-deploy-'))).toBe(true);
    // Within 2 px (a smaller word on a line moves its line's middle); the block sat 6.5 px high.
    for (const { where, offCentre } of cells) expect.soft(Math.abs(offCentre), `${where}: off the row's middle`).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});
