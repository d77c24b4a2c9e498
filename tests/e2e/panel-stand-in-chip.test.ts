import { createElement } from 'react';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Instance, Lost, Service } from '@/lib/model/instance';
import type { TopologyNode } from '@/lib/model/topology/topology';
import { STAND_IN_WORDS } from '@/lib/model/status/lost';
import { launchBrowser } from '../support/browser';
import { MAP_PANEL_WIDTHS, openMapPanel, renderMapPanel, sidewaysScroll } from '../support/rendered-layout';

/**
 * The map panel's instance list (click a node on the map), server-rendered in the app's CSS at the
 * window widths of its layouts (380 px beside the map, the map's width under it from 900 px down):
 * each stand-in's chip says its words whole in the Status column, beside the drain column an admin sees.
 */
const NOW = Date.parse('2026-12-06T09:30:00.000Z');
const at = new Date(NOW - 20_000).toISOString();
const POD_ADDRESS = '10.244.123.201:50051';

const FATES: Record<keyof typeof STAND_IN_WORDS, Lost> = {
  checking: { at, cause: 'left discovery at 09:29:40 UTC while its probes passed — checking whether it still serves', passingBefore: 3, checking: true },
  unlisted: { at, cause: 'left discovery at 09:29:40 UTC while its probes passed; still serves', passingBefore: 3, stillServing: true },
  lost: { at, cause: 'lease expired at 09:29:40 UTC after its probes failed', passingBefore: 0 },
};

const instance = (id: string, status: Instance['status'], lost: Lost | undefined, address = '127.0.0.1:35707'): Instance => ({
  id,
  service: 'payments',
  key: `/services/payments/${id}`,
  address,
  format: 'go-micro',
  zone: 'eu-west-1a',
  metadata: {},
  status,
  drain: null,
  ...(lost && { lost }),
});

const SERVICE: Service = {
  name: 'payments',
  status: 'critical',
  // A cluster's address, 20 characters, beside the stand-ins: it keeps its port on its line.
  instances: [
    instance('payments-1', 'unknown', FATES.checking),
    instance('payments-2', 'critical', FATES.unlisted),
    instance('payments-3', 'critical', FATES.lost),
    instance('payments-4', 'passing', undefined, POD_ADDRESS),
  ],
};
const NODE: TopologyNode = { id: 'payments', kind: 'service', status: 'critical', instances: 4, drained: 0, lost: 2, lostServing: 1, checking: 1, zones: ['eu-west-1a'], formats: ['go-micro'] };

describe('the map panel’s stand-in chips (Chromium)', () => {
  let browser: Browser;
  let markup: string;
  beforeAll(async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    // An admin's panel: the Drain column takes its share of the row.
    markup = renderMapPanel(NODE, SERVICE, () => createElement('button', { type: 'button', className: 'button button--small' }, 'Drain'));
    vi.useRealTimers();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(MAP_PANEL_WIDTHS)('at %i px: each stand-in’s chip says its words whole, inside its cell, and each address its port on its line', async (width) => {
    const page = await openMapPanel(browser, width, markup);
    const chips = await page.evaluate(() =>
      [...document.querySelectorAll('.tpanel__instances td .tnode__chip')].map((chip) => {
        const cell = chip.closest('td')?.getBoundingClientRect();
        const box = chip.getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(chip);
        const text = range.getBoundingClientRect();
        return {
          words: chip.textContent ?? '',
          // No overflow in the chip, its words inside it, and the chip inside its cell (the panel's table is fixed: cells clip nothing, but the next cell starts there).
          whole: chip.scrollWidth <= chip.clientWidth + 0.5 && text.right <= box.right + 0.5 && cell !== undefined && box.right <= cell.right + 0.5 && box.left >= cell.left - 0.5,
        };
      }),
    );
    expect(chips.map(({ words }) => words)).toEqual([STAND_IN_WORDS.unlisted, STAND_IN_WORDS.lost, STAND_IN_WORDS.checking]);
    for (const { words, whole } of chips) expect.soft(whole, `"${words}" drawn whole`).toBe(true);
    // The Instance column keeps its room: each address on one line with its copy button (at 44 % of the
    // panel's 380 px, 154 px, a cluster's 20-character address broke at its port).
    const wheres = await page.evaluate(() => {
      const lines = (node: Node): number => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size;
      };
      return [...document.querySelectorAll('.tpanel__instances .tpanel__instance-where')].map((where) => {
        const address = where.querySelector('.copyable__text');
        const button = where.querySelector('.copy-button')?.getBoundingClientRect();
        const range = document.createRange();
        if (address) range.selectNodeContents(address);
        // The copy button beside the address, not pushed under it.
        return { address: address?.textContent ?? '', addressLines: address ? lines(address) : 0, buttonBeside: button !== undefined && button.top < range.getBoundingClientRect().bottom };
      });
    });
    expect(wheres.map(({ address }) => address)).toContain(POD_ADDRESS);
    for (const { address, addressLines, buttonBeside } of wheres) {
      expect.soft(addressLines, `${address}: lines`).toBe(1);
      expect.soft(buttonBeside, `${address}: its copy button beside it`).toBe(true);
    }
    expect(await sidewaysScroll(page)).toBe(0);
    await page.context().close();
  });
});
