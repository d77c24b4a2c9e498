import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '@/lib/model/instance';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually } from '../support/server';
import { screenshotWidths } from '../support/browser';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/** A service answering its health checks 503, 200, 503, 200: flapping by the page's rule, passing now. */
describe('a flapping service in Chromium: passing now, but said to flap', () => {
  let stack: BrowserStack;
  let target: HealthTarget;
  const statusOf = async (): Promise<string> => ((await (await stack.server.fetch('/api/v1/services/ledger')).json()) as Service).status;

  beforeAll(async () => {
    target = await startHealthTarget();
    stack = await startBrowserStack({
      env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500' },
      before: async (etcd) => {
        await etcd.put('/services/ledger/ledger-1', JSON.stringify({ address: target.address, health: { http: '/healthz' } }));
        await etcd.put('/services/quotes/quotes-1', JSON.stringify({ address: target.address }));
      },
    });
    await eventually(async () => ((await statusOf()) === 'passing' ? true : undefined), 20_000, 'ledger passing');
    for (const [status, seen] of [[503, 'critical'], [200, 'passing'], [503, 'critical'], [200, 'passing']] as const) {
      target.setStatus(status);
      await eventually(async () => ((await statusOf()) === seen ? true : undefined), 15_000, `ledger ${seen}`);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await target?.close();
  });

  it('marks it "flapping" beside its green status in the services list, and only it', async () => {
    const { page } = stack;
    await page.goto(`${stack.server.url}/services`);
    const ledger = page.locator('tr', { hasText: 'ledger' });
    await expect.poll(() => ledger.locator('.flapping-mark').count(), { timeout: 10_000 }).toBe(1);
    expect(await ledger.locator('.badge').textContent()).toContain('Passing');
    const quotes = page.locator('tr', { hasText: 'quotes' });
    expect(await quotes.locator('.badge').textContent()).toContain('Passing');
    expect(await quotes.locator('.flapping-mark').count()).toBe(0);
    expect(await ledger.locator('.flapping-mark').getAttribute('title')).toMatch(/^Flapping: failing and recovering again and again/);
    await screenshotWidths(page, 'services-flapping', () => false);
  });

  it('says on its page which instance flaps, in place of "Recovered at"', async () => {
    const { page } = stack;
    await page.goto(`${stack.server.url}/services/ledger`);
    const note = page.locator('.service-flapping');
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toMatch(/^Flapping — ledger-1: 4 changes into and out of critical in .+\. Passing again .+; flapping for .+ more if it holds\.$/);
    expect(await page.locator('.service-recovery').count()).toBe(0);
    await screenshotWidths(page, 'service-flapping', () => false);
  });
});
