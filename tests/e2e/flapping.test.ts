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

  it('tags the flapping instance "flapping" in its row of the instance table, beside its green status', async () => {
    const { page } = stack;
    await page.goto(`${stack.server.url}/services/ledger`);
    const row = page.locator('.table--instances tbody tr', { hasText: 'ledger-1' });
    await expect.poll(() => row.locator('.status-cell .flapping-mark').count(), { timeout: 10_000 }).toBe(1);
    expect(await row.locator('.status-cell .badge').textContent()).toContain('Passing');
    expect(await row.locator('.flapping-mark').getAttribute('title')).toMatch(/^Flapping: failing and recovering again and again/);
    await page.goto(`${stack.server.url}/services/quotes`);
    await expect.poll(() => page.locator('.table--instances tbody tr', { hasText: 'quotes-1' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('.table--instances .flapping-mark').count()).toBe(0);
  });

  it('marks its node on the map "flapping", and its panel the service and the instance, not quotes', async () => {
    const { page } = stack;
    await page.goto(`${stack.server.url}/`);
    const ledger = page.locator('.tnode--service').filter({ hasText: 'ledger' });
    await expect.poll(() => ledger.locator('.tnode__chip--flapping').count(), { timeout: 10_000 }).toBe(1);
    expect(await ledger.locator('.tnode__chip--flapping').textContent()).toBe('flapping');
    expect(await ledger.locator('.tnode__chip--flapping').getAttribute('title')).toMatch(/^Flapping: failing and recovering again and again/);
    expect(await ledger.getAttribute('class')).toContain('tstatus--passing');
    expect(await page.locator('.tnode--service').filter({ hasText: 'quotes' }).locator('.tnode__chip--flapping').count()).toBe(0);
    // Clicked again while no panel opened: a click landing as the map still fits itself to the window missed the node (CI).
    const panel = page.locator('.tpanel');
    await expect
      .poll(
        async () => {
          if ((await panel.count()) === 0) await ledger.click();
          return page.locator('.tpanel__summary .tnode__chip--flapping').count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    await expect.poll(() => page.locator('.tpanel__instances tr', { hasText: 'ledger-1' }).locator('.tnode__chip--flapping').count(), { timeout: 10_000 }).toBe(1);
    await screenshotWidths(page, 'map-flapping', () => false);
  });

  it('drops the marks on the map and in the instance table, and the page\'s note, at the flap\'s end (10 min after its third newest change), not before, with no reload', async () => {
    const { page } = stack;
    const service = (await (await stack.server.fetch('/api/v1/services/ledger')).json()) as Service;
    const changes = [...(service.instances.find((instance) => instance.id === 'ledger-1')?.criticalChangesMs ?? [])].sort((a, b) => a - b);
    expect(changes.length).toBeGreaterThanOrEqual(3);
    const thirdNewest = changes[changes.length - 3] ?? NaN;
    // The deadline the map is sent (its node's, the summary's), and it is the one the flap ends at.
    const { nodes } = (await (await stack.server.fetch('/api/v1/topology')).json()) as { nodes: { id: string; flappingUntil?: string }[] };
    const flappingUntil = Date.parse(nodes.find((node) => node.id === 'ledger')?.flappingUntil ?? '');
    expect(flappingUntil).toBe(thirdNewest + 10 * 60_000);
    // One clock for the two pages (the context's); installed before they load, so both learn the server's time as now.
    await page.context().clock.install();
    const map = await page.context().newPage();
    try {
      await page.goto(`${stack.server.url}/services/ledger`);
      await map.goto(`${stack.server.url}/`);
      const rowMark = page.locator('.table--instances .flapping-mark');
      const note = page.locator('.service-flapping');
      const ledger = map.locator('.tnode--service').filter({ hasText: 'ledger' });
      const nodeMark = ledger.locator('.tnode__chip--flapping');
      const nodeLabel = () => map.locator('.react-flow__node', { has: map.locator('.tnode--service', { hasText: 'ledger' }) }).getAttribute('aria-label');
      await expect.poll(() => rowMark.count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => nodeMark.count(), { timeout: 10_000 }).toBe(1);
      expect(await nodeLabel()).toMatch(/^ledger: passing, 1 instance, flapping$/);
      // Held 300 ms before the deadline: every mark still there. Within 300 ms either side, so a mark ending at
      // another change than the third newest (ledger-1's changes are 1-1.5 s apart) fails one side or the other.
      await page.context().clock.pauseAt(flappingUntil - 300);
      await expect.poll(() => page.evaluate(() => Date.now()), { timeout: 10_000 }).toBeGreaterThanOrEqual(flappingUntil - 300);
      expect(await rowMark.count()).toBe(1);
      expect(await nodeMark.count()).toBe(1);
      expect(await note.count()).toBe(1);
      expect(await nodeLabel()).toMatch(/, flapping$/);
      // 600 ms on, 300 ms past it: the marks (one timer to the deadline) gone, the node's label too.
      await page.context().clock.fastForward(600);
      await expect.poll(() => rowMark.count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => nodeMark.count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => nodeLabel(), { timeout: 10_000 }).toBe('ledger: passing, 1 instance');
      // The page's note reads a clock that ticks each second (useNow): gone by its next tick.
      await page.context().clock.fastForward(1_000);
      await expect.poll(() => note.count(), { timeout: 10_000 }).toBe(0);
      expect(await ledger.count()).toBe(1);
    } finally {
      await map.close();
    }
  });
});
