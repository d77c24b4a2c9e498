import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { TestEtcd } from '../support/etcd';
import type { TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

const SERVICE = 'e2e-outage';
const registration = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, zone: 'z1', version: '1.0.0' });

/** The dot's colour against the theme's "passing" green, both as the browser computes them. */
async function dotIsGreen(pill: Locator): Promise<boolean> {
  return pill.locator('.connection__dot').evaluate((dot) => {
    const probe = document.createElement('span');
    probe.style.background = 'var(--passing)';
    document.body.append(probe);
    const green = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return getComputedStyle(dot).backgroundColor === green;
  });
}

describe('controls during an etcd outage, in Chromium', () => {
  let stack: BrowserStack;
  let etcd: TestEtcd;
  let server: TestServer;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack({
      before: async (etcd) => {
        await etcd.put(`/services/${SERVICE}/o-1`, registration(9101));
        await etcd.put(`/services/${SERVICE}/o-2`, registration(9102));
        await etcd.put(`/switchyard/drain/${SERVICE}/o-2`, JSON.stringify({ by: 'alice', reason: 'kernel patch', at: new Date().toISOString() }));
      },
    });
    ({ etcd, server, page } = stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('disables drain and undrain with the reason and turns the live pill from green to "etcd unreachable", then restores both', async () => {
    await page.goto(`${server.url}/services/${SERVICE}`, { waitUntil: 'networkidle' });
    const live = page.getByRole('status', { name: 'Connection: Live' });
    await live.waitFor({ timeout: 10_000 });
    expect(await dotIsGreen(live)).toBe(true);
    const drain = page.getByRole('button', { name: 'Drain o-1', exact: true });
    const undrain = page.getByRole('button', { name: 'Undrain o-2', exact: true });
    expect(await drain.isEnabled()).toBe(true);
    expect(await undrain.isEnabled()).toBe(true);

    await etcd.local.stop();
    const unreachable = page.getByRole('status', { name: 'Connection: etcd unreachable' });
    await unreachable.waitFor({ timeout: 30_000 });
    expect(await dotIsGreen(unreachable)).toBe(false);
    expect(await unreachable.textContent()).toBe('etcd unreachable');

    const reason = /Drain and undrain are unavailable while etcd is unreachable/;
    for (const button of [drain, undrain]) {
      await expect.poll(() => button.isDisabled()).toBe(true);
      expect(await button.getAttribute('title')).toMatch(reason);
      expect(await button.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent)).toMatch(reason);
    }
    // Said in words on the page too, not only in a tooltip a phone cannot show.
    expect(await page.getByTestId('drain-blocked').isVisible()).toBe(true);
    expect(await page.getByTestId('drain-blocked').textContent()).toMatch(reason);

    await etcd.local.restart();
    await live.waitFor({ timeout: 30_000 });
    await expect.poll(() => drain.isEnabled(), { timeout: 5_000 }).toBe(true);
    expect(await undrain.isEnabled()).toBe(true);
    expect(await page.getByTestId('drain-blocked').count()).toBe(0);
  });
});
