import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium, headless; never a downloaded browser (DESIGN §5). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Puts a session cookie (`name=value`, from a sign-in through the API) into a browser context for `url`. */
export async function addSessionCookie(context: BrowserContext, url: string, cookie: string): Promise<void> {
  const split = cookie.indexOf('=');
  await context.addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url, httpOnly: true, sameSite: 'Lax' }]);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Pages `openPage` opened and not yet closed: what a failed test's report shows (tests/support/e2e-failure.ts). */
const livePages = new Set<Page>();
export const openPages = (): readonly Page[] => [...livePages];

/** A page that records console errors and uncaught exceptions, so tests can assert there were none. */
export async function openPage(
  browser: Browser,
  options: { colorScheme?: 'dark' | 'light'; width?: number; height?: number; timezoneId?: string } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'dark',
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    ...(options.timezoneId !== undefined ? { timezoneId: options.timezoneId } : {}),
  });
  const page = await context.newPage();
  livePages.add(page);
  page.on('close', () => livePages.delete(page));
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    // "Failed to load resource" names no resource: the location says which, for whoever reads a failure.
    const { url } = message.location();
    errors.push(url ? `${message.text()} (${url})` : message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/**
 * Screenshots of the page at 1440 and 390 px into `SWITCHYARD_SCREENSHOT_DIR` when it is set (for a
 * person to look at what a test drove; nothing when unset), then back at 1440 × 900. `fullPage`
 * says per width whether the whole page is taken.
 */
export async function screenshotWidths(page: Page, name: string, fullPage: (width: number) => boolean): Promise<void> {
  const dir = process.env.SWITCHYARD_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: fullPage(width) });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}
