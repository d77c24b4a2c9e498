import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createElement, type ComponentProps } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Browser, Page } from 'playwright-core';
import { StatusCell } from '@/components/instances/StatusCell';
import { TopologyPanel, type TopologyPanelProps } from '@/components/topology/TopologyPanel';
import type { Service } from '@/lib/model/instance';
import type { TopologyNode } from '@/lib/model/topology/topology';
import { openPage } from './browser';

/**
 * Components server-rendered into a page of the app's CSS in Chromium, without a server, for tests
 * that measure how they are drawn at the window widths of their layouts.
 */

/** The app's stylesheets app/styles/<name>.css, in the order given, as one. */
const appStyles = (names: readonly string[]): string => names.map((name) => readFileSync(path.join('app/styles', `${name}.css`), 'utf8')).join('\n');

/** The map page's stylesheets, in the app's order. */
const MAP_PAGE_CSS = appStyles(['tokens', 'base', 'shell', 'controls', 'table', 'badges', 'drain', 'status', 'topology']);

/** Window widths at each of the map panel's layouts: 380 px beside the map, the map's width under it from 900 px down. */
export const MAP_PANEL_WIDTHS = [1920, 1440, 1280, 1024, 901, 800, 641, 390];

/** The map panel of `node` (a click on it on the map), its handlers doing nothing; `drainControls` draws the Drain column an admin sees. */
export function renderMapPanel(node: TopologyNode, service: Service, drainControls?: TopologyPanelProps['drainControls']): string {
  const noop = (): void => undefined;
  return renderToStaticMarkup(
    createElement(TopologyPanel, {
      node,
      service,
      nodeById: new Map([[node.id, node]]),
      edgesIn: [],
      edgesOut: [],
      causedBy: [],
      focus: { id: node.id, hops: 1 },
      onFocus: noop,
      onSelect: noop,
      onToggleGroup: noop,
      onClose: noop,
      ...(drainControls && { drainControls }),
    }),
  );
}

/** A dark page `width` px wide showing `panelMarkup` as on the map page: the panel beside the map, under it from 900 px down. */
export async function openMapPanel(browser: Browser, width: number, panelMarkup: string): Promise<Page> {
  const { page } = await openPage(browser, { width, height: 900, colorScheme: 'dark' });
  await page.setContent(
    `<html data-theme="dark"><head><style>${MAP_PAGE_CSS}</style></head><body><div class="topology__body has-panel" style="display:flex;height:900px"><div style="flex:1;min-width:0"></div>${panelMarkup}</div></body></html>`,
  );
  return page;
}

/** How far the page scrolls sideways, in px (0: not at all). */
export const sidewaysScroll = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The instance table's stylesheets a status cell is drawn with. */
const INSTANCE_TABLE_CSS = appStyles(['tokens', 'base', 'badges', 'status', 'table']);

/** Window width → the instance table's Status column's width there (table.css). */
export const STATUS_COLUMNS: [window: number, column: number][] = [
  [1920, 220],
  [1440, 208],
  [1280, 208],
  [1024, 260],
  [800, 180],
  [641, 140],
];

/**
 * A light page `window` px wide with a status cell per case, each in the content width of a Status
 * column `column` px wide (less its 2 × 10 px padding) in the instance table's CSS: a `.case` element
 * whose `data-case` is the case's name.
 */
export async function openStatusCells(browser: Browser, window: number, column: number, cases: [name: string, instance: ComponentProps<typeof StatusCell>['instance']][]): Promise<Page> {
  const { page } = await openPage(browser, { width: window, height: 600, colorScheme: 'light' });
  const cells = cases.map(([name, instance]) => {
    const markup = renderToStaticMarkup(createElement(StatusCell, { instance }));
    return `<div class="table table--instances"><div class="case" data-case="${name}" style="width:${column - 20}px">${markup}</div></div>`;
  });
  await page.setContent(`<html><head><style>${INSTANCE_TABLE_CSS}</style></head><body>${cells.join('')}</body></html>`);
  return page;
}

/** What every status cell of `openStatusCells` draws, in the cases' order. */
export interface StatusCellDrawn {
  name: string;
  /** Lines its visible parts take. */
  lines: number;
  /** Its badge's status word ('' without one). */
  word: string;
  /** The word drawn whole inside its badge, wider than 20 px. */
  wordShown: boolean;
  /** The badge's font size, px (0 without a badge). */
  badgeFontPx: number;
}

export const statusCellsDrawn = (page: Page): Promise<StatusCellDrawn[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('.case')].map((element) => {
      const cell = element.querySelector('.status-cell');
      const visible = [...(cell?.children ?? [])].filter((child) => getComputedStyle(child).position !== 'absolute' && getComputedStyle(child).display !== 'none');
      // A line per run of boxes whose middles lie within 6 px (badge and tag are 20 and 18 px high, centred).
      const middles = visible.map((child) => { const box = child.getBoundingClientRect(); return (box.top + box.bottom) / 2; }).sort((a, b) => a - b);
      const lines = middles.filter((middle, index) => index === 0 || middle - (middles[index - 1] ?? middle) > 6).length;
      const badge = element.querySelector('.badge');
      const word = [...(badge?.childNodes ?? [])].find((node) => node.nodeType === Node.TEXT_NODE);
      let wordShown = false;
      if (badge && word) {
        const range = document.createRange();
        range.selectNodeContents(word);
        const box = range.getBoundingClientRect();
        wordShown = box.width > 20 && box.right <= badge.getBoundingClientRect().right + 0.5;
      }
      return { name: element.getAttribute('data-case') ?? '', lines, word: word?.textContent ?? '', wordShown, badgeFontPx: badge ? parseFloat(getComputedStyle(badge).fontSize) : 0 };
    }),
  );
