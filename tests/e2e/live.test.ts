import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestEtcd } from '../support/etcd';
import type { TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

type Probe = Window & { __xss?: unknown; __noReload?: boolean };

const nativeValue = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0', zone: 'test-a' });
const serviceLink = (page: Page, name: string) => page.getByRole('link', { name, exact: true });

describe('live registry UI in Chromium', () => {
  let stack: BrowserStack;
  let etcd: TestEtcd;
  let server: TestServer;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    stack = await startBrowserStack();
    ({ etcd, server, page, errors } = stack);
    await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
    // Survives only if nothing reloads the page.
    await page.evaluate(() => ((window as Probe).__noReload = true));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('shows a newly registered instance within 1 s of the put, without a reload', async () => {
    const started = Date.now();
    await etcd.put('/services/e2e-live/i-1', nativeValue(9001));
    await serviceLink(page, 'e2e-live').waitFor({ timeout: 1_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('removes an instance when its lease expires', async () => {
    await etcd.put('/services/e2e-lease/i-1', nativeValue(9002), 4);
    await page.goto(`${server.url}/services/e2e-lease`);
    await page.getByRole('cell', { name: 'i-1', exact: true }).waitFor({ timeout: 5_000 });
    await page.getByText('No instances registered right now').waitFor({ timeout: 15_000 });
    await page.getByRole('link', { name: 'Services', exact: true }).first().click();
    await serviceLink(page, 'e2e-live').waitFor();
    expect(await serviceLink(page, 'e2e-lease').count()).toBe(0);
  });

  it('renders hostile and percent-laden names as text', async () => {
    const hostile = '<img src=x onerror="window.__xss=1">';
    const percent = 'pay 100%25 off';
    await etcd.put(`/services/${hostile}/x-1`, JSON.stringify({ address: '127.0.0.1:9003', metadata: { html: '<script>window.__xss=2</script>' } }));
    await etcd.put(`/services/${percent}/p-1`, nativeValue(9004));
    await serviceLink(page, hostile).waitFor({ timeout: 5_000 });
    expect(await page.locator('main img').count()).toBe(0);

    await serviceLink(page, hostile).click();
    await page.getByRole('heading', { level: 1, name: hostile, exact: true }).waitFor();
    await page.getByRole('button', { expanded: false }).click();
    await page.getByText('<script>window.__xss=2</script>', { exact: true }).waitFor();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as Probe).__xss)).toBeUndefined();

    // Both ways into a service page must agree on its name: a full load and a client navigation.
    await page.goto(`${server.url}/services/${encodeURIComponent(percent)}`);
    await page.getByRole('heading', { level: 1, name: percent, exact: true }).waitFor();
    await page.getByRole('cell', { name: 'p-1', exact: true }).waitFor();
    expect(await page.title()).toBe(`${percent} · Switchyard`);
    await page.goto(`${server.url}/services`);
    await serviceLink(page, percent).click();
    await page.getByRole('heading', { level: 1, name: percent, exact: true }).waitFor();
    await page.getByRole('cell', { name: 'p-1', exact: true }).waitFor();
    await expect.poll(() => page.title()).toBe(`${percent} · Switchyard`);
  });

  it('warns while etcd is unreachable and clears the warning once it is back', async () => {
    await page.goto(`${server.url}/services`);
    await serviceLink(page, 'e2e-live').waitFor();
    const banner = page.getByRole('alert').filter({ hasText: 'etcd unreachable' });
    expect(await banner.count()).toBe(0);

    await etcd.local.stop();
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toContain('data may be stale');

    await etcd.local.restart();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await serviceLink(page, 'e2e-live').waitFor();
    expect(errors).toEqual([]);
  });

  it('says so when the connection to Switchyard itself is lost', async () => {
    await serviceLink(page, 'e2e-live').waitFor();
    await server.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection to Switchyard lost' });
    await banner.waitFor({ timeout: 10_000 });
    await page.getByRole('status', { name: 'Connection: Reconnecting…' }).waitFor();
    // The last known state stays on screen.
    await serviceLink(page, 'e2e-live').waitFor();
  });
});
