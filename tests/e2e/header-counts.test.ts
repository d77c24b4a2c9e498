import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/**
 * The top bar with the most it counts, as in the demo's lose-etcd-all: every service still serving out
 * of discovery ("out of discovery 12" beside the status counts). Nothing may scroll sideways at the
 * widths where the bar is one row or first gives way (641–1000 px). Real etcd, the real server, Chromium.
 */
// Two digits in every count the bar shows, as a fleet of a dozen services has.
const SERVICES = Array.from({ length: 12 }, (_, index) => `e2e-header-${index + 1}`);

describe('the top bar’s counts (Chromium)', () => {
  let stack: BrowserStack;
  let target: HealthTarget;
  beforeAll(async () => {
    target = await startHealthTarget();
    // Probes often enough that each instance has passed some before its lease ends.
    stack = await startBrowserStack({ env: { SWITCHYARD_PROBE_INTERVAL_MS: '500' } });
    // Leases that are never kept alive: each instance leaves etcd in 4 s while its probes still pass.
    for (const service of SERVICES) await stack.etcd.put(`/services/${service}/${service}-1`, JSON.stringify({ address: target.address }), 4);
    // Beside them, a service passing and one failing (nothing listens on port 9): counts of their own.
    await stack.etcd.put('/services/e2e-header-passing/p-1', JSON.stringify({ address: target.address }));
    await stack.etcd.put('/services/e2e-header-failing/f-1', JSON.stringify({ address: '127.0.0.1:9' }));
    await eventually(
      async () => {
        const { services } = (await (await stack.server.fetch('/api/v1/services')).json()) as { services: { name: string; instances: { lost?: { stillServing?: boolean } }[] }[] };
        return services.filter((service) => service.instances.some((instance) => instance.lost?.stillServing === true)).length === SERVICES.length ? true : undefined;
      },
      60_000,
      'every service out of discovery',
    );
  });
  afterAll(async () => {
    await stack?.stop();
    await target?.close();
  });

  it.each([1000, 800, 641])('at %i px: every count the bar shows is inside the window, and the page does not scroll sideways', async (width) => {
    const { page, errors } = await stack.freshPage({ width, height: 700 });
    await page.goto(`${stack.server.url}/services`, { waitUntil: 'networkidle' });
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
    await page.getByRole('term').filter({ hasText: 'out of discovery' }).waitFor({ timeout: 10_000 });
    const bar = await page.evaluate(() => {
      const header = document.querySelector('.app-header');
      const shown = (element: Element): boolean => element.getBoundingClientRect().width > 0;
      return {
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        headerOverflow: header ? header.scrollWidth - header.clientWidth : -1,
        // What the bar shows, each with how far it reaches.
        items: [...(header?.querySelectorAll('.brand, .nav, .fleet-counts__item, .connection, .app-header > .icon-button, .user-menu') ?? [])]
          .filter(shown)
          .map((element) => ({ what: (element.textContent ?? '').replace(/\s+/g, ' ').trim() || element.className, right: Math.round(element.getBoundingClientRect().right) })),
      };
    });
    if (process.env.UI3_SHOTS) await page.screenshot({ path: `/tmp/s32/ui3/header-${width}.png` });
    const outside = bar.items.filter(({ right }) => right > width);
    expect.soft(outside, `past the window's right edge (${width} px)`).toEqual([]);
    // The count of services out of discovery stays, and so does that of the failing service: what is broken.
    expect.soft(bar.items.some(({ what }) => /out of discovery\s*12/.test(what)), `"out of discovery 12" shown: ${JSON.stringify(bar.items)}`).toBe(true);
    expect.soft(bar.items.some(({ what }) => /^Critical\s*1$/.test(what)), `"Critical 1" shown: ${JSON.stringify(bar.items)}`).toBe(true);
    expect.soft(bar.headerOverflow, 'the bar scrolls').toBe(0);
    expect(bar.overflow, 'the page scrolls sideways').toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
