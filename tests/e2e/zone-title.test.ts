import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/**
 * The instance table's zone cell is titled only where its zone is cut by the column: a title on every
 * zone made screen readers say each one twice. The real app (hydrated, so the hover runs), real etcd, Chromium.
 */
// AWS's shortest zone (whole in its column) and GCP's longest (cut with an ellipsis from 641 px).
const ZONES = ['eu-west-1a', 'northamerica-northeast1-a'];
const SERVICE = 'e2e-zones';

describe('the instance table’s zone titles (Chromium)', () => {
  let stack: BrowserStack;
  beforeAll(async () => {
    stack = await startBrowserStack();
    for (const [index, zone] of ZONES.entries()) await stack.etcd.put(`/services/${SERVICE}/z-${index + 1}`, JSON.stringify({ address: `127.0.0.1:${9101 + index}`, zone }));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([1440, 800])('at %i px: a zone cut by its column is titled with it whole on hover, a whole one never', async (width) => {
    const { page, errors } = await stack.freshPage({ width, height: 900 });
    await page.goto(`${stack.server.url}/services/${SERVICE}`, { waitUntil: 'networkidle' });
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
    const cells = ZONES.map((zone) => page.locator('tbody td[data-column="zone"]', { hasText: zone }));
    for (const cell of cells) await cell.waitFor();
    const state = () =>
      Promise.all(
        cells.map((cell) =>
          cell.evaluate((element) => ({ zone: element.lastChild?.textContent ?? '', cut: element.scrollWidth > element.clientWidth, title: element.getAttribute('title') })),
        ),
      );
    // What a screen reader meets: the zone once, no title beside it.
    expect(await state()).toEqual([
      { zone: ZONES[0], cut: false, title: null },
      { zone: ZONES[1], cut: true, title: null },
    ]);
    for (const cell of cells) await cell.hover();
    expect(await state()).toEqual([
      { zone: ZONES[0], cut: false, title: null },
      { zone: ZONES[1], cut: true, title: ZONES[1] },
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
