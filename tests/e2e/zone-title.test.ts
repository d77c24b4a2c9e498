import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/**
 * The instance table's zone cell, and a zone in the map panel, is titled only where its zone is cut:
 * a title on every zone made screen readers say each one twice. The real app (hydrated, so the hover
 * runs), real etcd, Chromium.
 */
// AWS's shortest zone (whole in its column), GCP's longest (cut with an ellipsis from 641 px), and a
// private data centre's longer than a line of the map panel.
const ZONES = ['eu-west-1a', 'northamerica-northeast1-a', 'datacenter-frankfurt-rack-42-row-7-cage-b'];
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
      { zone: ZONES[2], cut: true, title: null },
    ]);
    for (const cell of cells) await cell.hover();
    expect(await state()).toEqual([
      { zone: ZONES[0], cut: false, title: null },
      { zone: ZONES[1], cut: true, title: ZONES[1] },
      { zone: ZONES[2], cut: true, title: ZONES[2] },
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it.each([1440, 390])('at %i px: the map panel keeps each zone on one line, one longer than its line cut with an ellipsis and titled with it whole on hover, a whole one never', async (width) => {
    const { page, errors } = await stack.freshPage({ width, height: 900 });
    await page.goto(stack.server.url, { waitUntil: 'networkidle' });
    await page.locator(`.react-flow__node[data-id="n:${SERVICE}"]`).click();
    const panel = page.locator('.tpanel');
    await panel.locator('.tpanel__instances .zone-name').nth(ZONES.length - 1).waitFor();
    const zones = panel.locator('.zone-name');
    const state = () =>
      zones.evaluateAll((found) =>
        found.map((zone) => {
          const range = document.createRange();
          range.selectNodeContents(zone);
          return {
            where: zone.closest('td') ? 'instance' : 'fact',
            zone: (zone.textContent ?? '').replace(/^·\s/, ''),
            lines: new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size,
            cut: zone.scrollWidth > zone.clientWidth,
            title: zone.getAttribute('title'),
          };
        }),
      );
    const before = await state();
    expect(before.map(({ where, zone }) => `${where}: ${zone}`).sort()).toEqual([...ZONES.map((zone) => `fact: ${zone}`), ...ZONES.map((zone) => `instance: ${zone}`)].sort());
    // On one line each ('eu-west-' over '1a' no more), the longest cut; no title before the pointer comes.
    for (const { where, zone, lines, title } of before) {
      expect.soft(lines, `${where} ${zone}: lines`).toBe(1);
      expect.soft(title, `${where} ${zone}: title before hover`).toBeNull();
    }
    // Longer than the instance's line at either width (the column is 183–194 px); in the Zones fact, titled only if cut (below).
    expect(before.filter(({ where, zone }) => where === 'instance' && zone === ZONES[2]).map(({ cut }) => cut)).toEqual([true]);
    expect(before.filter(({ zone }) => zone === ZONES[0]).map(({ cut }) => cut)).toEqual([false, false]);
    for (const zone of await zones.all()) await zone.hover();
    for (const { where, zone, cut, title } of await state()) expect.soft(title, `${where} ${zone}: title on hover`).toBe(cut ? zone : null);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
