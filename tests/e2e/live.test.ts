import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startBrowserStack, type BrowserStack } from '../support/stack';
import { perAttempt } from '../support/names';

type Probe = Window & { __xss?: unknown; __noReload?: boolean };

const nativeValue = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0', zone: 'test-a' });
const serviceLink = (page: Page, name: string) => page.getByRole('link', { name, exact: true });

/** Each test opens its own page on the services list and arranges its own data: any order, any subset. */
async function openServices(stack: BrowserStack): Promise<{ page: Page; errors: string[] }> {
  const opened = await stack.freshPage();
  await opened.page.goto(`${stack.server.url}/services`, { waitUntil: 'networkidle' });
  await opened.page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
  return opened;
}

describe('live registry UI in Chromium', () => {
  let stack: BrowserStack;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    stack = await startBrowserStack();
  });
  afterEach(async () => {
    await page?.context().close();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows a newly registered instance within 1 s of the put, without a reload', async () => {
    ({ page } = await openServices(stack));
    // Survives only if nothing reloads the page.
    await page.evaluate(() => ((window as Probe).__noReload = true));
    // A service of its own per attempt: a retry's would already be listed, and prove nothing.
    const service = perAttempt('e2e-live');
    const started = Date.now();
    await stack.etcd.put(`/services/${service}/i-1`, nativeValue(9001));
    await serviceLink(page, service).waitFor({ timeout: 1_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('keeps an instance whose lease expired after failing probes on screen, marked lost, without a reload', async () => {
    ({ page } = await openServices(stack));
    await page.evaluate(() => ((window as Probe).__noReload = true));
    // Nothing listens on 9002: its probes fail, then its lease expires — how a crashed process looks.
    await stack.etcd.put('/services/e2e-lease/i-1', nativeValue(9002), 4);
    await serviceLink(page, 'e2e-lease').click();
    await page.getByRole('cell', { name: 'i-1', exact: true }).waitFor({ timeout: 5_000 });
    await page.getByRole('row').filter({ hasText: /Lost, critical since .*lease/ }).waitFor({ timeout: 20_000 });
    await page.getByRole('link', { name: 'Services', exact: true }).first().click();
    const row = page.getByRole('row').filter({ has: serviceLink(page, 'e2e-lease') });
    await expect.poll(() => row.textContent()).toMatch(/Critical.*its only instance lost/);
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('renders hostile and percent-laden names as text', async () => {
    ({ page } = await openServices(stack));
    const hostile = '<img src=x onerror="window.__xss=1">';
    const percent = 'pay 100%25 off';
    await stack.etcd.put(`/services/${hostile}/x-1`, JSON.stringify({ address: '127.0.0.1:9003', metadata: { html: '<script>window.__xss=2</script>' } }));
    await stack.etcd.put(`/services/${percent}/p-1`, nativeValue(9004));
    await serviceLink(page, hostile).waitFor({ timeout: 5_000 });
    expect(await page.locator('main img').count()).toBe(0);

    await serviceLink(page, hostile).click();
    await page.getByRole('heading', { level: 1, name: hostile, exact: true }).waitFor();
    await page.getByRole('button', { expanded: false }).click();
    await page.getByText('<script>window.__xss=2</script>', { exact: true }).waitFor();
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as Probe).__xss)).toBeUndefined();

    // Both ways into a service page must agree on its name: a full load and a client navigation.
    await page.goto(`${stack.server.url}/services/${encodeURIComponent(percent)}`);
    await page.getByRole('heading', { level: 1, name: percent, exact: true }).waitFor();
    await page.getByRole('cell', { name: 'p-1', exact: true }).waitFor();
    expect(await page.title()).toBe(`${percent} · Switchyard`);
    await page.goto(`${stack.server.url}/services`);
    await serviceLink(page, percent).click();
    await page.getByRole('heading', { level: 1, name: percent, exact: true }).waitFor();
    await page.getByRole('cell', { name: 'p-1', exact: true }).waitFor();
    await expect.poll(() => page.title()).toBe(`${percent} · Switchyard`);
  });

  it('warns while etcd is unreachable and clears the warning once it is back', async () => {
    await stack.etcd.put('/services/e2e-outage/o-1', nativeValue(9006));
    ({ page, errors } = await openServices(stack));
    await serviceLink(page, 'e2e-outage').waitFor();
    const banner = page.getByRole('alert').filter({ hasText: 'etcd unreachable' });
    expect(await banner.count()).toBe(0);

    await stack.etcd.local.stop();
    try {
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.textContent()).toContain('data may be stale');
    } finally {
      await stack.etcd.local.restart();
    }
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await serviceLink(page, 'e2e-outage').waitFor();
    expect(errors).toEqual([]);
  });
});

describe('live registry UI in Chromium, when Switchyard itself goes away', () => {
  // Stops the server: a stack of its own, so no other test depends on running before this one.
  let stack: BrowserStack;
  beforeAll(async () => {
    stack = await startBrowserStack({ before: (etcd) => etcd.put('/services/e2e-live/i-1', nativeValue(9001)).then(() => undefined) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('says so when the connection to Switchyard itself is lost', async () => {
    const { page } = stack;
    await page.goto(`${stack.server.url}/services`, { waitUntil: 'networkidle' });
    await serviceLink(page, 'e2e-live').waitFor();
    await stack.server.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Connection to Switchyard lost' });
    await banner.waitFor({ timeout: 10_000 });
    await page.getByRole('status', { name: 'Connection: Reconnecting…' }).waitFor();
    // The last known state stays on screen.
    await serviceLink(page, 'e2e-live').waitFor();
  });
});
