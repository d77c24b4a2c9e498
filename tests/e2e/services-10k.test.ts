import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestEtcd } from '../support/etcd';
import type { TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

const SCREENSHOTS = process.env.SWITCHYARD_SCREENSHOT_DIR;
const SERVICES = 10_000;
const FLEET_COUNT = '10,000';
/** etcd's default limit is 128 operations per transaction. */
const PUTS_PER_TXN = 100;
/** Far fewer than the fleet: the rows in view plus overscan. */
const MAX_ROWS_IN_DOM = 200;

const TEAMS = ['payments', 'search', 'identity', 'catalog', 'shipping', 'pricing', 'ledger', 'notify'];
const PARTS = ['api', 'worker', 'gateway', 'indexer', 'scheduler'];
const ZONES = ['eu-west-1a', 'eu-west-1b', 'us-east-1a'];
const nameOf = (i: number): string => `${TEAMS[i % TEAMS.length]}-${PARTS[i % PARTS.length]}-${String(i).padStart(5, '0')}`;
const NAMES = Array.from({ length: SERVICES }, (_, i) => nameOf(i));
/** The services page sorts worst first, ties by name (code-point order); these services are never probed, so all share one status. */
const LAST_BY_NAME = [...NAMES].sort().at(-1) ?? '';
const SOUGHT = nameOf(7341);

async function registerFleet(etcd: TestEtcd): Promise<void> {
  for (let start = 0; start < SERVICES; start += PUTS_PER_TXN) {
    const puts = NAMES.slice(start, start + PUTS_PER_TXN).map((name, k) => {
      const i = start + k;
      // TEST-NET-1 addresses, and probing limited to elsewhere (below): nothing leaves the machine.
      const instance = { address: `192.0.2.${i & 255}:${8000 + (i >> 8)}`, version: `1.${i % 7}.0`, zone: ZONES[i % ZONES.length] };
      return { request_put: { key: Buffer.from(`/services/${name}/${name}-1`), value: Buffer.from(JSON.stringify(instance)) } };
    });
    await etcd.client.kv.txn({ compare: [], success: puts });
  }
}

/** The row of the named service, if rendered: its link carries the full name as a title. */
const serviceLink = (page: Page, name: string) => page.locator('.table--services tbody a').filter({ has: page.locator(`[title="${name}"]`) });

/** Whether the named service's row is rendered and inside the window. */
const rowInView = (page: Page, name: string): Promise<unknown> =>
  page.waitForFunction((wanted) => {
    const title = document.querySelector(`.table--services tbody [title="${wanted}"]`);
    const row = title?.closest('tr');
    if (!row) return false;
    const box = row.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }, name);

/** Scrolls to the page's end until the last service by name is in view (rows measured on the way may move the end). */
const scrollToBottom = (page: Page): Promise<unknown> =>
  page.waitForFunction((wanted) => {
    window.scrollTo(0, document.documentElement.scrollHeight);
    const row = document.querySelector(`.table--services tbody [title="${wanted}"]`)?.closest('tr');
    const box = row?.getBoundingClientRect();
    return box !== undefined && box.top >= 0 && box.bottom <= window.innerHeight;
  }, LAST_BY_NAME);

const renderedRows = (page: Page): Promise<number> => page.locator('.table--services tbody tr[data-index]').count();

describe('a 10,000-service list in Chromium', () => {
  let stack: BrowserStack;
  let server: TestServer;
  let page: Page;

  beforeAll(async () => {
    stack = await startBrowserStack({ before: registerFleet, env: { SWITCHYARD_PROBE_ALLOW_CIDRS: '127.0.0.1/32' } });
    ({ server, page } = stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** The unfiltered list at its top; a page already showing it is reused (loading 10,000 services takes seconds). */
  const openList = async (): Promise<void> => {
    const listUrl = `${server.url}/services`;
    if (page.url() === listUrl) {
      await page.evaluate(() => window.scrollTo(0, 0));
    } else {
      await page.goto(listUrl);
    }
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 20_000 });
    await page.getByText(`${FLEET_COUNT} services`, { exact: true }).waitFor({ timeout: 20_000 });
    await serviceLink(page, [...NAMES].sort()[0] ?? '').waitFor();
  };

  const shoot = async (name: string): Promise<void> => {
    if (!SCREENSHOTS) return;
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [width, height] of [[1440, 900], [1280, 800], [390, 844]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForFunction((w) => document.documentElement.clientWidth <= w, width);
      // The viewport only: a full-page shot of 10,000 rows is 300,000 px tall.
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`) });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  it('renders only the rows in view, with the full count for assistive technology', async () => {
    await openList();
    expect(await renderedRows(page)).toBeLessThan(MAX_ROWS_IN_DOM);
    expect(await page.getByRole('table', { name: /Services/ }).getAttribute('aria-rowcount')).toBe(String(SERVICES + 1));
    await shoot('services-10k-top');
  }, 60_000);

  it('scrolls to the bottom, where the last service by name shows', async () => {
    await openList();
    await scrollToBottom(page);
    const last = page.locator('.table--services tbody tr[data-index]').filter({ has: page.locator(`[title="${LAST_BY_NAME}"]`) });
    expect(await last.getAttribute('aria-rowindex')).toBe(String(SERVICES + 1));
    expect(await renderedRows(page)).toBeLessThan(MAX_ROWS_IN_DOM);
    // The header stays on screen above the rows.
    expect(await page.getByRole('columnheader', { name: 'Service' }).isVisible()).toBe(true);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
    await shoot('services-10k-middle');
  }, 60_000);

  it('moves between rows with the keyboard, rendering rows as focus leaves the screen', async () => {
    await openList();
    const first = [...NAMES].sort();
    await serviceLink(page, first[0] ?? '').focus();
    // Scrolled far away by the wheel or scrollbar, the focused row stays in the DOM and focused.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
    await page.locator('.table--services tbody tr[data-index="5000"]').waitFor();
    expect(await page.evaluate((wanted) => document.activeElement?.querySelector(`[title="${wanted}"]`) !== null, first[0] ?? '')).toBe(true);
    await page.keyboard.press('ArrowDown');
    await rowInView(page, first[1] ?? '');
    await page.waitForFunction((wanted) => document.activeElement?.querySelector(`[title="${wanted}"]`) !== null, first[1] ?? '');
    await page.keyboard.press('End');
    await rowInView(page, LAST_BY_NAME);
    await page.waitForFunction((wanted) => document.activeElement?.querySelector(`[title="${wanted}"]`) !== null, LAST_BY_NAME);
    await page.keyboard.press('ArrowUp');
    await page.waitForFunction((wanted) => document.activeElement?.querySelector(`[title="${wanted}"]`) !== null, first.at(-2) ?? '');
  }, 60_000);

  it('keeps the phone layout: the name column takes the room the hidden detail columns leave', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await openList();
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight / 2));
      await page.locator('.table--services tbody tr[data-index="5000"]').waitFor();
      const widths = await page.evaluate(() => ({
        table: document.querySelector('.table--services')?.getBoundingClientRect().width ?? 0,
        rows: [...document.querySelectorAll('.table--services tbody tr[data-index]')].map((row) => row.getBoundingClientRect().width),
        name: document.querySelector('.table--services tbody tr[data-index] td')?.getBoundingClientRect().width ?? 0,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        clippedHeaders: [...document.querySelectorAll<HTMLElement>('.table--services thead th')].filter((th) => th.offsetParent !== null && th.scrollWidth > th.clientWidth).map((th) => th.textContent),
      }));
      expect(widths.overflow).toBe(0);
      // Every column's header reads whole ("Instances…" was cut at its 84 px).
      expect(widths.clippedHeaders).toEqual([]);
      // Rows span the whole table (no phantom columns beside them) and a name gets most of it.
      for (const width of widths.rows) expect(width).toBeCloseTo(widths.table, -1);
      expect(widths.name).toBeGreaterThan(140);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  }, 60_000);

  it('narrows the list to a searched service and opens it', async () => {
    await openList();
    await page.getByRole('searchbox', { name: 'Search services' }).fill(SOUGHT);
    await page.getByText(`1 of ${FLEET_COUNT} services`, { exact: true }).waitFor();
    expect(await renderedRows(page)).toBe(1);
    await serviceLink(page, SOUGHT).click();
    await page.waitForURL(`${server.url}/services/${SOUGHT}`);
    await page.getByRole('heading', { level: 1, name: SOUGHT }).waitFor();
  }, 60_000);

  it('server-renders summaries, not instances: no instance address is in the page', async () => {
    const response = await page.goto(`${server.url}/services`);
    const html = (await response?.text()) ?? '';
    expect(html).toContain(SOUGHT);
    expect(html).not.toContain('192.0.2.');
  }, 60_000);

  it('finds a service by an instance address (the server matches instances) and opens it', async () => {
    await openList();
    const address = `192.0.2.${7341 & 255}:${8000 + (7341 >> 8)}`;
    await page.getByRole('searchbox', { name: 'Search services' }).fill(address);
    await page.getByText(`1 of ${FLEET_COUNT} services`, { exact: true }).waitFor();
    await serviceLink(page, SOUGHT).click();
    await page.waitForURL(`${server.url}/services/${SOUGHT}`);
    await page.getByText(address, { exact: true }).first().waitFor();
    await shoot('services-10k-service-page');
  }, 60_000);
});
