import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance, Service } from '@/lib/model/instance';
import type { TopologyNode } from '@/lib/model/topology/topology';
import { launchBrowser } from '../support/browser';
import { MAP_PANEL_WIDTHS, openMapPanel, renderMapPanel, sidewaysScroll } from '../support/rendered-layout';

/**
 * The map panel (click a node on the map), server-rendered in the app's CSS at the window widths of
 * its layouts: each zone, in an instance's line and in the Zones fact, stays inside its cell, whole
 * on one line: a line breaks before a zone, never inside it ("eu-west-" over "1a"), and a zone longer
 * than a whole line ends in an ellipsis, as in the instance table (titled on hover: zone-title.test.ts).
 */

// AWS's shortest zone, a private data centre's (34 characters: wider than the instance cell at 380 px),
// and one longer than a line of the Zones fact at every width (zones are registrants' free text).
const ZONES = ['eu-west-1a', 'datacenter-frankfurt-rack-42-row-7', 'datacenter-frankfurt-rack-42-row-7-cage-b-power-feed-2-pdu-left-circuit-13-breaker-a-upper-half-shelf-9-slot-4-blade-2'];

const instance = (id: string, zone: string): Instance => ({
  id,
  service: 'orders',
  key: `/services/orders/${id}`,
  address: '127.0.0.1:35707',
  format: 'go-micro',
  zone,
  metadata: {},
  status: 'passing',
  drain: null,
});

const SERVICE: Service = { name: 'orders', status: 'passing', instances: ZONES.map((zone, index) => instance(`orders-${index + 1}`, zone)) };
const NODE: TopologyNode = { id: 'orders', kind: 'service', status: 'passing', instances: 3, drained: 0, lost: 0, lostServing: 0, checking: 0, zones: ZONES, formats: ['go-micro'] };

describe('the map panel’s zones (Chromium)', () => {
  let browser: Browser;
  let markup: string;
  beforeAll(async () => {
    markup = renderMapPanel(NODE, SERVICE);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(MAP_PANEL_WIDTHS)('at %i px: each zone stays in its cell on one line, cut with an ellipsis only where no line can hold it, and the page does not scroll sideways', async (width) => {
    const page = await openMapPanel(browser, width, markup);
    const zones = await page.evaluate(() =>
      [...document.querySelectorAll('.tpanel .zone-name')].map((zone) => {
        const where = zone.closest('td') ? 'instance' : 'fact';
        const container = zone.closest('td') ?? zone.closest('dd');
        if (!container) throw new Error('a zone outside a cell');
        const style = getComputedStyle(container);
        const cell = container.getBoundingClientRect();
        const contentLeft = cell.left + parseFloat(style.paddingLeft);
        const contentRight = cell.right - parseFloat(style.paddingRight);
        // Its width on one line, in its own font: a copy that never wraps.
        const copy = zone.cloneNode(true) as HTMLElement;
        copy.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;display:inline-block;max-width:none';
        zone.parentElement?.append(copy);
        const oneLine = copy.getBoundingClientRect().width;
        copy.remove();
        const range = document.createRange();
        range.selectNodeContents(zone);
        const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
        const box = zone.getBoundingClientRect();
        return {
          where,
          text: (zone.textContent ?? '').replace(/\s+/g, ' '),
          fits: oneLine <= contentRight - contentLeft + 0.5,
          lines: new Set(rects.map((rect) => Math.round(rect.top))).size,
          // What is drawn: the zone's box (its text past it is clipped).
          inside: box.left >= contentLeft - 0.5 && box.right <= contentRight + 0.5,
          cut: zone.scrollWidth > zone.clientWidth,
          ellipsis: getComputedStyle(zone).textOverflow === 'ellipsis' && getComputedStyle(zone).overflowX === 'hidden',
        };
      }),
    );
    const texts = zones.map(({ where, text }) => `${where}: ${text}`);
    expect(texts).toEqual([...ZONES.map((zone) => `fact: ${zone}`), ...ZONES.map((zone) => `instance: · ${zone}`)]);
    for (const { where, text, fits, lines, inside, cut, ellipsis } of zones) {
      expect.soft(inside, `${where} "${text}": inside its cell`).toBe(true);
      // One line always: a line breaks before it rather than inside it.
      expect.soft(lines, `${where} "${text}": lines`).toBe(1);
      // Cut only where no line could hold it, and then with an ellipsis.
      expect.soft(cut, `${where} "${text}": cut`).toBe(!fits);
      if (cut) expect.soft(ellipsis, `${where} "${text}": cut with an ellipsis`).toBe(true);
    }
    // The longest is longer than a line everywhere: what is tested is that it is cut, not that it fits.
    expect(zones.filter(({ text }) => text.endsWith(ZONES[2] ?? '')).map(({ fits }) => fits)).toEqual([false, false]);
    if (process.env.UI3_SHOTS) await page.locator('.tpanel').screenshot({ path: `/tmp/s32/ui3/panel-zone-${width}.png` });
    expect(await sidewaysScroll(page)).toBe(0);
    await page.context().close();
  });
});
