import { createElement } from 'react';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instance, Service } from '@/lib/model/instance';
import type { TopologyNode } from '@/lib/model/topology/topology';
import { launchBrowser } from '../support/browser';
import { MAP_PANEL_WIDTHS, openMapPanel, renderMapPanel, sidewaysScroll } from '../support/rendered-layout';

/**
 * The map panel's instance list as an admin sees it (click a node on the map), server-rendered in the
 * app's CSS at the window widths of its layouts: each instance's status badge stands clear of its
 * Drain (or Undrain) button, each inside its own cell ('Passing' was 2 px from 'Drain' at 1440 px). And
 * where the panel spans a window wider than a phone's (641–900 px), a failing instance's cause is not
 * squeezed into the badge's 96 px: there it took 4 lines beside ~300 px of empty Instance column.
 */
/** The least room between a badge and the button beside it: the panel's gap between items elsewhere. */
const MIN_GAP_PX = 8;
/** The lines a cause may take where the panel is as wide as a window of 641–900 px. */
const MAX_CAUSE_LINES_FULL_WIDTH = 2;

const instance = (id: string, status: Instance['status'], drained = false, statusCause?: string): Instance => ({
  id,
  service: 'orders',
  key: `/services/orders/${id}`,
  address: '10.244.123.201:50051',
  format: 'go-micro',
  zone: 'eu-west-1a',
  metadata: {},
  status,
  drain: drained ? { by: 'night-oncall', reason: 'restart', at: '2026-12-06T09:00:00.000Z' } : null,
  ...(statusCause === undefined ? {} : { statusCause, statusSince: '2026-12-06T09:00:00.000Z' }),
});

// Every status's word (Warning is the widest), a drained instance's wider Undrain button, and the causes of a
// failing and a warning instance as the status publisher words them.
const SERVICE: Service = {
  name: 'orders',
  status: 'critical',
  instances: [instance('orders-1', 'critical', false, 'probes failing since 09:00:00: HTTP 503 from /healthz'), instance('orders-2', 'warning', false, 'error rate 23 % over 30 s (threshold 5 %)'), instance('orders-3', 'unknown'), instance('orders-4', 'passing'), instance('orders-5', 'passing', true)],
};
const NODE: TopologyNode = { id: 'orders', kind: 'service', status: 'critical', instances: 5, drained: 1, lost: 0, lostServing: 0, checking: 0, zones: ['eu-west-1a'], formats: ['go-micro'] };

describe('the map panel’s status and drain cells (Chromium)', () => {
  let browser: Browser;
  let markup: string;
  beforeAll(async () => {
    // The button DrainAction draws for an operator (its classes and words).
    markup = renderMapPanel(NODE, SERVICE, (drained: Instance) =>
      createElement('div', { className: 'drain-controls drain-controls--compact' }, createElement('button', { type: 'button', className: 'button button--small drain-action' }, drained.drain ? 'Undrain' : 'Drain')),
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(MAP_PANEL_WIDTHS)('at %i px: each status badge is inside its cell and at least 8 px from its drain button, which is inside its own; from 641 to 900 px a cause takes at most 2 lines', async (width) => {
    const page = await openMapPanel(browser, width, markup);
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll('.tpanel__instances tbody tr')].map((row) => {
        const [, statusCell, drainCell] = [...row.children];
        const badge = statusCell?.querySelector('.badge');
        const button = drainCell?.querySelector('button');
        if (!statusCell || !drainCell || !badge || !button) throw new Error('a row without its status badge or drain button');
        const [statusBox, drainBox, badgeBox, buttonBox] = [statusCell, drainCell, badge, button].map((element) => element.getBoundingClientRect()) as [DOMRect, DOMRect, DOMRect, DOMRect];
        const cause = statusCell.querySelector('.tpanel__cause');
        const range = document.createRange();
        if (cause) range.selectNodeContents(cause);
        return {
          causeLines: cause ? new Set([...range.getClientRects()].map((line) => Math.round(line.top))).size : 0,
          words: `${badge.textContent ?? ''} / ${button.textContent ?? ''}`,
          badgeInside: badgeBox.left >= statusBox.left - 0.5 && badgeBox.right <= statusBox.right + 0.5,
          buttonInside: buttonBox.left >= drainBox.left - 0.5 && buttonBox.right <= drainBox.right + 0.5,
          gap: Math.round((buttonBox.left - badgeBox.right) * 10) / 10,
        };
      }),
    );
    expect(rows.map(({ words }) => words)).toEqual(['Critical / Drain', 'Warning / Drain', 'Unknown / Drain', 'Passing / Drain', 'Passing / Undrain']);
    expect(rows.map(({ causeLines }) => causeLines > 0)).toEqual([true, true, false, false, false]);
    for (const { words, badgeInside, buttonInside, gap, causeLines } of rows) {
      if (width >= 641 && width <= 900) expect.soft(causeLines, `${words}: lines of its cause`).toBeLessThanOrEqual(MAX_CAUSE_LINES_FULL_WIDTH);
      expect.soft(badgeInside, `${words}: the badge inside its cell`).toBe(true);
      expect.soft(buttonInside, `${words}: the button inside its cell`).toBe(true);
      expect.soft(gap, `${words}: px between badge and button`).toBeGreaterThanOrEqual(MIN_GAP_PX);
    }
    expect(await sidewaysScroll(page)).toBe(0);
    await page.context().close();
  });
});
