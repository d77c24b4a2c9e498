import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchDemo, type LaunchedDemo } from '../../demo/launch';
import { addSessionCookie, launchBrowser } from '../support/browser';

/**
 * The map re-fitted as the window changes size: a tab opened wide, narrowed to a phone's width and
 * widened again showed the demo's map as specks in one corner, at the phone's zoom (the fitted map
 * was still all in view, so nothing was redone). Not when the reader zoomed or panned since.
 */

const ready = (page: Page): Promise<void> => page.locator('.topology[data-ready="true"]').waitFor({ timeout: 30_000 });

/** How much of the canvas' width and height the drawn nodes span (their union over the canvas' box). */
async function spanOfCanvas(page: Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => {
    const canvas = document.querySelector('.topology .react-flow')?.getBoundingClientRect();
    const boxes = [...document.querySelectorAll('.topology .react-flow__node')].map((node) => node.getBoundingClientRect());
    if (!canvas || boxes.length === 0) return { width: 0, height: 0 };
    const left = Math.min(...boxes.map((box) => box.left));
    const right = Math.max(...boxes.map((box) => box.right));
    const top = Math.min(...boxes.map((box) => box.top));
    const bottom = Math.max(...boxes.map((box) => box.bottom));
    return { width: (right - left) / canvas.width, height: (bottom - top) / canvas.height };
  });
}

const transformOf = (page: Page): Promise<string> => page.locator('.react-flow__viewport').evaluate((viewport) => getComputedStyle(viewport).transform);

/** Resized, then two frames for React Flow to measure the canvas and the map to be redone. */
async function resize(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 });
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))));
}

describe('the map re-fitted when the window changes size (demo, Chromium)', () => {
  let demo: LaunchedDemo;
  let browser: Browser;

  const openMap = async (width: number): Promise<Page> => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width, height: 900 } });
    await addSessionCookie(context, demo.url, demo.cookie);
    const page = await context.newPage();
    await page.goto(`${demo.url}/`);
    await ready(page);
    return page;
  };

  beforeAll(async () => {
    demo = await launchDemo();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('fits the map again when a tab narrowed to a phone is widened to 1280 px, as a fresh load at 1280 does', async () => {
    const fresh = await openMap(1280);
    const freshSpan = await spanOfCanvas(fresh);
    await fresh.context().close();
    // A fresh load fills the canvas one way or the other (the demo's graph is wide and shallow).
    expect(Math.max(freshSpan.width, freshSpan.height)).toBeGreaterThan(0.85);

    const page = await openMap(1440);
    await resize(page, 390);
    await resize(page, 1280);
    // As full as a fresh load, one way or the other (the layout itself may have changed meanwhile, as calls became known).
    const span = await spanOfCanvas(page);
    expect(Math.max(span.width, span.height)).toBeGreaterThan(0.85);
    await page.context().close();
  }, 90_000);

  it('leaves a view the reader zoomed since the last fit as it is, whatever the window does', async () => {
    const page = await openMap(1440);
    await resize(page, 390);
    const canvas = await page.locator('.topology .react-flow').boundingBox();
    if (!canvas) throw new Error('no canvas');
    const fitted = await transformOf(page);
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    await page.mouse.wheel(0, -200);
    await expect.poll(() => transformOf(page)).not.toBe(fitted);
    const zoomed = await transformOf(page);
    await resize(page, 1280);
    expect(await transformOf(page)).toBe(zoomed);
    await page.context().close();
  }, 90_000);
});
