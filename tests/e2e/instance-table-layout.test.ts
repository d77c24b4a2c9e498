import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InstancesTable } from '@/components/instances/InstancesTable';
import type { Instance } from '@/lib/model/instance';
import type { InstanceLatency, LatencyPoint } from '@/lib/model/latency';
import { launchBrowser, openPage } from '../support/browser';

// The drain button needs the live socket's context; its column is not what is measured here.
vi.mock('@/components/drain/DrainAction', () => ({ DrainAction: () => null }));

/**
 * The instance table, server-rendered, in the app's CSS, at the window widths of each of its layouts:
 * what its latency and zone cells draw (the page's data does not change how they are laid out).
 */
const CSS = ['tokens', 'base', 'shell', 'controls', 'table', 'badges', 'drain', 'status'].map((name) => readFileSync(path.join('app/styles', `${name}.css`), 'utf8')).join('\n');
const WIDTHS = [1920, 1440, 1280, 1024, 800, 641, 390];
const NOW = Date.parse('2026-12-06T09:30:00.000Z');

/** 15 min of 1 s slots ending now: p99 up to `p99Ms` (the last one), `errorRate` of its calls failing, probes passing in `probeMs`. */
function series(p99Ms: number | null, probeMs: number, errorRate = 0.27): Pick<InstanceLatency, 'inbound' | 'probe'> {
  const slots = Array.from({ length: 900 }, (_, index) => NOW - (899 - index) * 1_000);
  const point = (t: number, p99: number | null): LatencyPoint => ({ t, p50Ms: p99 === null ? null : p99 / 3, p95Ms: p99 === null ? null : p99 / 1.5, p99Ms: p99, rps: p99 === null ? 0 : 3, errorRate: p99 === null ? null : errorRate });
  return {
    inbound: slots.map((t, index) => point(t, p99Ms === null ? null : Math.round(p99Ms * (0.5 + (index % 7) / 12)))).map((p, index, all) => (index === all.length - 1 && p99Ms !== null ? { ...p, p99Ms } : p)),
    probe: slots.map((t) => ({ t, p50Ms: probeMs, p95Ms: probeMs, p99Ms: probeMs, rps: 0, errorRate: null })),
  };
}

const instance = (id: string, zone: string, probeMs = 0.54): Instance => ({
  id,
  service: 'payments',
  key: `/services/payments/${id}`,
  address: '127.0.0.1:35707',
  format: 'go-micro',
  version: '1.9.0-canary',
  zone,
  metadata: { region: 'eu-west-1' },
  leaseTtl: 10,
  status: 'passing',
  drain: null,
  lastProbe: { at: new Date(NOW - 1_000).toISOString(), ok: true, latencyMs: probeMs },
});

// Zones as cloud providers name them: AWS's shortest and one of its longest, and GCP's longest.
// What each probes: a health path ("HTTP GET /healthz"), a longer one, and a bare TCP connect ("TCP connect only").
const INSTANCES: Instance[] = [
  { ...instance('payments-1', 'eu-west-1a'), health: { http: '/healthz' } },
  { ...instance('payments-7f9c2b1e4d-x8k2q', 'ap-southeast-1a', 101), health: { http: '/api/v1/health/ready' } },
  instance('payments-3', 'northamerica-northeast1-a'),
];
const LATENCY: InstanceLatency[] = [
  // Its last 30 s without errors: "30 s: p95 …" alone; payments-3's say its errors too, the longest line.
  { id: 'payments-1', key: INSTANCES[0]?.key ?? '', ...series(243, 0.54, 0) },
  // Nobody reports calls to it: the probe's time is its figure ("probe 101 ms", as wide as three figures make it).
  { id: 'payments-7f9c2b1e4d-x8k2q', key: INSTANCES[1]?.key ?? '', ...series(null, 101) },
  { id: 'payments-3', key: INSTANCES[2]?.key ?? '', ...series(1_240, 0.54) },
];

describe('the instance table’s latency and zone cells (Chromium)', () => {
  let browser: Browser;
  let markup: string;
  beforeAll(async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    markup = renderToStaticMarkup(createElement(InstancesTable, { instances: INSTANCES, latency: LATENCY, window: '15m' }));
    vi.useRealTimers();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it.each(WIDTHS)('at %i px: each sparkline beside its figure, the figure whole (one line from 1000 px), both clear of the row’s borders', async (width) => {
    const { page } = await openPage(browser, { width, height: 900, colorScheme: 'dark' });
    await page.setContent(`<html data-theme="dark"><head><style>${CSS}</style></head><body><main class="main">${markup}</main></body></html>`);
    const cells = await page.evaluate(() => {
      /** How many lines an element's text takes (a flex item's own box is one rect, however many lines). */
      const lineCount = (element: Element): number => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size;
      };
      return [...document.querySelectorAll('td[data-column="latency"]')].map((cell) => {
        const spark = cell.querySelector('svg.sparkline')?.getBoundingClientRect();
        const value = cell.querySelector('.latency-cell__value');
        const box = value?.getBoundingClientRect();
        const row = cell.getBoundingClientRect();
        return {
          text: value?.textContent ?? '',
          // Side by side: the figure starts right of the line and its middle is within the line's height.
          beside: spark && box ? box.left >= spark.right && (box.top + box.bottom) / 2 > spark.top && (box.top + box.bottom) / 2 < spark.bottom : false,
          whole: value ? value.scrollWidth <= value.clientWidth + 0.5 && box !== undefined && box.right <= row.right : false,
          lines: value ? lineCount(value) : 0,
          // Its own room above and below: 2 px at least between the line and the row's borders.
          clear: spark ? spark.top - row.top >= 2 && row.bottom - spark.bottom >= 2 : false,
        };
      });
    });
    expect(cells).toHaveLength(3);
    for (const { text, beside, whole, lines, clear } of cells) {
      expect.soft(beside, `"${text}" beside its sparkline`).toBe(true);
      expect.soft(whole, `"${text}" drawn whole`).toBe(true);
      // From 1000 px (140 px of Latency and more) a figure of three digits reads on one line; narrower, its words may wrap beside the line.
      if (width >= 1000) expect.soft(lines, `"${text}": lines`).toBe(1);
      expect.soft(clear, `"${text}": its sparkline clear of the row's borders`).toBe(true);
    }
    await page.context().close();
  });

  it.each(WIDTHS)('at %i px: the last 30 s of calls under the figure are drawn whole, each of their parts on one line', async (width) => {
    const { page } = await openPage(browser, { width, height: 900, colorScheme: 'dark' });
    await page.setContent(`<html data-theme="dark"><head><style>${CSS}</style></head><body><main class="main">${markup}</main></body></html>`);
    const lines = await page.evaluate(() =>
      [...document.querySelectorAll('td[data-column="latency"] .latency-cell__recent')].map((recent) => {
        const cell = recent.closest('td')?.getBoundingClientRect();
        const box = recent.getBoundingClientRect();
        // Each part ("27 % errors", "p95 618 ms") is read as one: a line never ends inside it.
        const partLines = [...recent.querySelectorAll('.latency-cell__recent-part')].map((part) => {
          const range = document.createRange();
          range.selectNodeContents(part);
          return { part: part.textContent ?? '', lines: new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size };
        });
        // Each "·" between parts and the first letter after it: on one line (a line ending in the dot left it dangling).
        const top = (node: Text, offset: number): number => {
          const range = document.createRange();
          range.setStart(node, offset);
          range.setEnd(node, offset + 1);
          return Math.round(range.getBoundingClientRect().top);
        };
        const letters: { node: Text; offset: number; char: string }[] = [];
        const walker = document.createTreeWalker(recent, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node as Text;
          for (let offset = 0; offset < text.data.length; offset++) if (text.data[offset]?.trim()) letters.push({ node: text, offset, char: text.data[offset] ?? '' });
        }
        const dotsWithNext = letters.flatMap((letter, index) => {
          const next = letters[index + 1];
          return letter.char === '·' && next ? [top(letter.node, letter.offset) === top(next.node, next.offset)] : [];
        });
        return {
          text: recent.textContent ?? '',
          dotsWithNext,
          // No ellipsis in its own box, and that box within the cell's (which clips).
          whole: recent.scrollWidth <= recent.clientWidth + 0.5 && cell !== undefined && box.right <= cell.right + 0.5,
          partLines,
        };
      }),
    );
    expect(lines.map(({ text }) => text)).toEqual([expect.stringMatching(/^30 s: p95 \d+ ms$/), expect.stringMatching(/^30 s: 27 % errors · p95 \d+ ms$/)]);
    for (const { text, whole, partLines, dotsWithNext } of lines) {
      expect.soft(whole, `"${text}" drawn whole`).toBe(true);
      expect.soft(partLines.map(({ part }) => part.replace(/^· /, '')).join(' · '), `"${text}": its parts`).toBe(text);
      expect.soft(dotsWithNext, `"${text}": each "·" on the line of the part after it`).toEqual(text.includes('·') ? [true] : []);
      for (const { part, lines: count } of partLines) expect.soft(count, `"${part}" of "${text}": lines`).toBe(1);
    }
    await page.context().close();
  });

  it.each(WIDTHS)('at %i px: what each row probes is drawn whole (wrapped, not cut) and its result still shows', async (width) => {
    const { page } = await openPage(browser, { width, height: 900, colorScheme: 'dark' });
    await page.setContent(`<html data-theme="dark"><head><style>${CSS}</style></head><body><main class="main">${markup}</main></body></html>`);
    const probes = await page.evaluate(() =>
      [...document.querySelectorAll('tbody td[data-column="probe"]')].map((cell) => {
        const kind = cell.querySelector('.probe-cell__kind');
        const result = cell.querySelector('.probe-cell__result');
        const cellBox = cell.getBoundingClientRect();
        const drawn = (element: Element | null): boolean => {
          if (!element) return false;
          const box = element.getBoundingClientRect();
          // No ellipsis and no clamped line in its own box, and that box within the cell (which clips).
          return element.scrollWidth <= element.clientWidth + 0.5 && element.scrollHeight <= element.clientHeight + 0.5 && box.left >= cellBox.left - 0.5 && box.right <= cellBox.right + 0.5 && box.bottom <= cellBox.bottom + 0.5;
        };
        // The kind's visible words alone (its TCP hint is for screen readers).
        const words = [...(kind?.childNodes ?? [])].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent ?? '').join('');
        return { words, whole: drawn(kind), title: kind?.getAttribute('title') ?? '', result: result?.textContent ?? '', resultShown: drawn(result) || (result !== null && result.getBoundingClientRect().height > 0) };
      }),
    );
    expect(probes.map(({ words }) => words)).toEqual(['HTTP GET /healthz', 'HTTP GET /api/v1/health/ready', 'TCP connect only']);
    for (const { words, whole, title, result, resultShown } of probes) {
      expect.soft(whole, `"${words}" drawn whole`).toBe(true);
      // The whole of it on hover too (for TCP, with what a connect cannot see).
      expect.soft(title.startsWith(words) || title.includes('accepts connections'), `"${words}": its title "${title}"`).toBe(true);
      expect.soft(resultShown, `"${words}": its result "${result}" shown`).toBe(true);
    }
    await page.context().close();
  });

  it.each(WIDTHS)('at %i px: a zone is never broken inside (one line), stays in its cell, and the page does not scroll sideways', async (width) => {
    const { page } = await openPage(browser, { width, height: 900, colorScheme: 'dark' });
    await page.setContent(`<html data-theme="dark"><head><style>${CSS}</style></head><body><main class="main">${markup}</main></body></html>`);
    const zones = await page.evaluate(() =>
      [...document.querySelectorAll('tbody td[data-column="zone"]')].map((cell) => {
        const text = [...cell.childNodes].findLast((node) => node.nodeType === Node.TEXT_NODE || (node instanceof HTMLElement && !node.classList.contains('instance-facet__label')));
        const range = document.createRange();
        if (text) range.selectNodeContents(text);
        const lines = new Set([...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top))).size;
        // The text's own edges, against the cell's content box: the cell itself always sits in its column.
        const box = range.getBoundingClientRect();
        const cellBox = cell.getBoundingClientRect();
        const style = getComputedStyle(cell);
        const contentLeft = cellBox.left + parseFloat(style.paddingLeft);
        const contentRight = cellBox.right - parseFloat(style.paddingRight);
        const cut = box.right > contentRight + 0.5;
        return {
          zone: text?.textContent ?? '',
          lines,
          // Inside its cell, or running past it only where the cell hides what is past its edge behind an ellipsis.
          inside: box.left >= contentLeft - 0.5 && (!cut || (style.overflowX === 'hidden' && style.textOverflow === 'ellipsis')),
          cut,
          title: cell.getAttribute('title') ?? '',
        };
      }),
    );
    expect(zones.map(({ zone }) => zone)).toEqual(['eu-west-1a', 'ap-southeast-1a', 'northamerica-northeast1-a']);
    for (const { zone, lines, inside, cut, title } of zones) {
      expect.soft(lines, `${zone}: lines`).toBe(1);
      expect.soft(inside, `${zone}: inside its cell`).toBe(true);
      if (zone === 'eu-west-1a') expect.soft(cut, `${zone}: cut`).toBe(false);
      // No title as rendered, which screen readers would read after the zone again: a cut zone is titled on hover (zone-title.test.ts).
      expect.soft(title, `${zone}: its title`).toBe('');
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    await page.context().close();
  });
});
