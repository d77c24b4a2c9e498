import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { TestEtcd } from '../support/etcd';
import type { TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

type Probe = Window & { __noReload?: boolean };

const registration = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0' });
/** A timeline row, by its accessible name ("Deregistered: service / instance"). */
const row = (page: Page, name: string): Locator => page.getByRole('article', { name, exact: true });

describe('failure history in Chromium', () => {
  let stack: BrowserStack;
  let etcd: TestEtcd;
  let server: TestServer;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    stack = await startBrowserStack();
    ({ etcd, server, page, errors } = stack);
    // Something to show before the page opens: another service's instance.
    await etcd.put('/services/e2e-hist-b/b-1', registration(9102));
    await page.goto(`${server.url}/history`, { waitUntil: 'networkidle' });
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
    await row(page, 'Registered: e2e-hist-b / b-1').waitFor({ timeout: 5_000 });
    await page.evaluate(() => ((window as Probe).__noReload = true));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows a lease expiry live, without a reload', async () => {
    await etcd.put('/services/e2e-hist-a/a-1', registration(9101), 2);
    await row(page, 'Registered: e2e-hist-a / a-1').waitFor({ timeout: 5_000 });
    const expired = row(page, 'Deregistered: e2e-hist-a / a-1');
    await expired.waitFor({ timeout: 15_000 });
    await expect.poll(() => expired.textContent()).toMatch(/lease \S+ expired/);
    // Enter on the focused row expands it: the full detail, the instance, the kind.
    await expired.focus();
    await page.keyboard.press('Enter');
    await expired.getByText('instance.deregistered', { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('narrows to one service, and the URL says so', async () => {
    await page.getByLabel('Service', { exact: true }).fill('e2e-hist-a');
    await page.waitForURL((url) => url.searchParams.get('service') === 'e2e-hist-a', { timeout: 5_000 });
    await row(page, 'Registered: e2e-hist-b / b-1').waitFor({ state: 'detached', timeout: 5_000 });
    await row(page, 'Deregistered: e2e-hist-a / a-1').waitFor();
    expect(await page.getByRole('article').filter({ hasText: 'e2e-hist-b' }).count()).toBe(0);

    // The URL alone reproduces the view.
    await page.goto(page.url(), { waitUntil: 'networkidle' });
    await row(page, 'Deregistered: e2e-hist-a / a-1').waitFor({ timeout: 5_000 });
    expect(await page.getByRole('article').filter({ hasText: 'e2e-hist-b' }).count()).toBe(0);
  });

  it('exports the filtered view as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const path = await download.path();
    const csv = await readFile(path, 'utf8');
    const lines = csv.split(/\r?\n/);
    expect(lines.some((line) => line.includes('instance.deregistered') && line.includes('e2e-hist-a') && line.includes('a-1') && /lease \S+ expired/.test(line))).toBe(true);
    expect(csv).not.toContain('e2e-hist-b');
    expect(errors).toEqual([]);
  });
});
