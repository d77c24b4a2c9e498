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

  // After the tests above: a locked user (its Unlock button in its State cell), a viewer, a scoped token.
  // At 641 px the 290 px actions column left the Users table's User cell 'adm…', Role's select cut off and Sign-in 'Pass…'.
  it('shows every field of the fixture’s users and tokens, all short-named, whole and inside the window from 390 to 1440 px: labelled cards below 1024 px, tables from there', async () => {
    const created = await server.fetch('/api/v1/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `e2e-expiring-${randomBytes(3).toString('hex')}`, role: 'viewer', expiresInDays: 1 }) });
    expect(created.status).toBe(201);
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    await page.getByRole('row').filter({ hasText: 'e2e-expiring-' }).waitFor();
    for (const width of [390, 641, 800, 1023, 1024, 1280, 1440]) {
      await page.setViewportSize({ width, height: 900 });
      for (const table of ['Users', 'API tokens']) {
        const cells = await page.getByRole('region', { name: table }).locator('table tbody td').evaluateAll((found, windowWidth) =>
          found.map((cell) => {
            const box = cell.getBoundingClientRect();
            const header = cell.closest('table')?.querySelectorAll('thead th')[(cell as HTMLTableCellElement).cellIndex]?.textContent?.trim() ?? '';
            const label = cell.querySelector('.access__label');
            // A control (the role select, a button) sticking out of its cell is cut by the cell's overflow.
            const controls = [...cell.querySelectorAll('select, button')].map((control) => control.getBoundingClientRect());
            return {
              where: `${header || 'Actions'}: ${(cell.textContent ?? '').trim().slice(0, 30)}`,
              cut: cell.scrollWidth > cell.clientWidth,
              controlsInside: controls.every((control) => control.left >= box.left - 0.5 && control.right <= box.right + 0.5 && control.top >= box.top - 0.5 && control.bottom <= box.bottom + 0.5),
              inWindow: box.left >= 0 && box.right <= windowWidth,
              label: label && getComputedStyle(label).display !== 'none' ? (label.textContent?.trim() ?? '') : '',
            };
          }),
        width);
        expect(cells.length, `${table} at ${width} px`).toBeGreaterThan(0);
        for (const { where, cut, controlsInside, inWindow } of cells) {
          expect.soft(cut, `${table}: ${where} cut at ${width} px`).toBe(false);
          expect.soft(controlsInside, `${table}: ${where}: its controls inside it at ${width} px`).toBe(true);
          expect.soft(inWindow, `${table}: ${where} inside the window at ${width} px`).toBe(true);
        }
        const headerLefts = await page.getByRole('region', { name: table }).locator('thead th').evaluateAll((found) => found.map((cell) => cell.getBoundingClientRect().left));
        const asTable = headerLefts.every((left, index) => index === 0 || left > (headerLefts[index - 1] ?? Infinity));
        expect.soft(asTable, `${table} laid out as a table at ${width} px`).toBe(width >= 1024);
        // A card says what each figure is; a table's headers do.
        const labelled = cells.filter(({ label }) => label !== '').map(({ where }) => where.split(':')[0]);
        expect.soft(labelled, `${table}: labelled fields at ${width} px`).toEqual(width >= 1024 ? [] : expect.arrayContaining(table === 'Users' ? ['Role', 'Sign-in', 'Last sign-in'] : ['Role', 'Service', 'Created', 'Last used']));
      }
      expect.soft(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), `sideways scroll at ${width} px`).toBe(0);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(errors).toEqual([]);
  });

  // Text inputs were 28.8 px (28 px and their line), selects 28: their labels sat 0.8 px apart on one line.
  it('draws every input, select and button of the Access page’s forms one height, their labels on one line', async () => {
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    for (const width of [1440, 641, 390]) {
      await page.setViewportSize({ width, height: 900 });
      // New user, New token and the signed-in user's password: none left unchecked.
      const forms = await page.locator('form.access__form').all();
      expect(forms, `forms at ${width} px`).toHaveLength(3);
      for (const form of forms) {
        const controls = await form.locator('input, select, button').evaluateAll((found) =>
          found.map((control) => {
            const box = control.getBoundingClientRect();
            const label = control.closest('.field')?.querySelector('.field__label')?.getBoundingClientRect();
            return { name: control.getAttribute('name') ?? control.textContent ?? '', height: box.height, bottom: Math.round(box.bottom), labelTop: label?.top };
          }),
        );
        expect(controls.length).toBeGreaterThan(1);
        for (const { name, height } of controls) expect.soft(height, `${name}'s height at ${width} px`).toBe(28);
        // Controls on one line (the same bottom) have their labels on one line.
        for (const { name, bottom, labelTop } of controls) {
          const beside = controls.find((other) => other.name !== name && other.bottom === bottom && other.labelTop !== undefined);
          if (labelTop !== undefined && beside?.labelTop !== undefined) expect.soft(labelTop, `${name}'s label beside ${beside.name}'s at ${width} px`).toBe(beside.labelTop);
        }
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(errors).toEqual([]);
  });
  // A card's 'role', 'sign-in'… is for the eye: the kept (out of sight) header names the cell for a screen
  // reader, which said 'Sign-in' then 'sign-in Password' while the label was in the cell's name.
  it('names a card’s fields below 1024 px by their column header alone in Chromium’s accessibility tree, not by the card’s label too', async () => {
    await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
    await page.setViewportSize({ width: 800, height: 900 });
    await page.getByRole('cell', { name: 'admin (you)' }).waitFor();
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    await cdp.detach();
    const cellNames = nodes.filter((node) => !node.ignored && node.role?.value === 'cell').map((node) => String(node.name?.value ?? ''));
    const cardLabels = ['role', 'sign-in', 'last sign-in', 'service', 'created', 'last used'];
    expect(cellNames.filter((name) => cardLabels.some((label) => name.toLowerCase().startsWith(`${label} `)))).toEqual([]);
    expect(cellNames).toContain('Password');
    // The label is still drawn on the card.
    await expect.poll(() => page.locator('.access__label').first().isVisible()).toBe(true);
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(errors).toEqual([]);
  });
});
