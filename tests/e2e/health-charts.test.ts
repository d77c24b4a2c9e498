import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { IngestBatch } from '@/lib/model/ingest';
import type { TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import type { TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

type Probe = Window & { __noReload?: boolean };

const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 500;
/** DEFAULT_THRESHOLDS.failAfter: consecutive failures before an instance is critical. */
const FAIL_AFTER = 3;
/** Probe scheduling jitter, the live pipeline's coalescing and the browser's render throttle. */
const SLACK_MS = 3_000;
const CRITICAL_BUDGET_MS = PROBE_INTERVAL_MS * FAIL_AFTER + PROBE_TIMEOUT_MS + SLACK_MS;

const registration = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0', health: { http: '/healthz' } });

/** One second of calls from a client to `to`, ending now. */
function batch(to: string, count: number): IngestBatch {
  return {
    reporter: { service: 'e2e-client', instance: 'client-1' },
    intervalStart: new Date(Date.now() - 1_000).toISOString(),
    intervalSeconds: 1,
    calls: [{ to, count, errors: 1, latencyMs: { bounds: [5, 10, 25, 50], counts: [count - 8, 4, 2, 1, 1] } }],
  };
}

const rowOf = (page: Page, id: string): Locator => page.getByRole('row').filter({ has: page.getByRole('cell', { name: id, exact: true }) });

const pointsOf = async (page: Page, chart: string): Promise<number> => Number(await page.locator(`[data-chart="${chart}"]`).getAttribute('data-points'));

describe('health and latency in Chromium', () => {
  let stack: BrowserStack;
  let health: HealthTarget;
  let etcd: TestEtcd;
  let server: TestServer;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    health = await startHealthTarget();
    stack = await startBrowserStack({ env: { SWITCHYARD_PROBE_INTERVAL_MS: String(PROBE_INTERVAL_MS), SWITCHYARD_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS) } });
    ({ etcd, server, page, errors } = stack);
  });

  afterAll(async () => {
    await stack?.stop();
    await health?.close();
  });

  const postCalls = async (service: string): Promise<void> => {
    const response = await server.fetch(`/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch(service, 20)) });
    expect(response.status).toBeLessThan(300);
  };
  /** A service of the test's own with a second of reported calls, its page open on the last 5 minutes: the charts drawn, whatever ran before. */
  const openServiceWithCalls = async (service: string): Promise<void> => {
    await etcd.put(`/services/${service}/${service}-1`, registration(health.port));
    await postCalls(service);
    await page.goto(`${server.url}/services/${service}?window=5m`);
    await page.locator('[data-chart="rps"]').waitFor({ timeout: 15_000 });
  };

  it('shows a probed instance passing, then critical with its cause within the probe budget', async () => {
    await etcd.put('/services/e2e-health/h-1', registration(health.port));
    await page.goto(`${server.url}/services/e2e-health`);
    const row = rowOf(page, 'h-1');
    await row.locator('.badge--passing', { hasText: 'Passing' }).waitFor({ timeout: 15_000 });
    await page.locator('.page-header .badge--passing').waitFor();
    // The latest probe's latency is shown once, in the Latency column (a number with its unit, joined by a no-break space); the
    // Probe column says what it answered and how long ago, never a second, older time.
    await expect.poll(() => row.getByRole('cell').nth(7).textContent(), { timeout: 10_000 }).toMatch(/probe \d+(\.\d+)?[ \u00a0](ms|s)$/);
    await expect.poll(() => row.getByRole('cell').nth(8).textContent(), { timeout: 10_000 }).toMatch(/OK · (just now|\d+ s ago)$/);
    expect(await row.getByRole('cell').nth(8).textContent()).not.toMatch(/\d (ms|s)(?! ago)/);

    health.setStatus(503);
    const started = Date.now();
    await row.locator('.badge--critical', { hasText: 'Critical' }).waitFor({ timeout: CRITICAL_BUDGET_MS });
    const elapsed = Date.now() - started;
    expect(elapsed, `critical after ${elapsed} ms`).toBeLessThan(CRITICAL_BUDGET_MS);
    await page.locator('.page-header .badge--critical').waitFor({ timeout: 2_000 });
    expect(await row.locator('.status-cell').textContent()).toContain('HTTP 503');
    // A failed probe shows no time as if it were a latency: the Latency column says it failed, the Probe column why.
    await expect.poll(() => row.getByRole('cell').nth(7).textContent(), { timeout: 10_000 }).toMatch(/✕ probe failed/);
    expect(await row.getByRole('cell').nth(8).textContent()).toMatch(/✕ failed: HTTP 503 · (just now|\d+ s ago)$/);
    // The tooltip says since when, in the reader's time.
    await row.locator('.status-cell').hover();
    expect(await row.locator('.status-cell').getAttribute('title')).toMatch(/^HTTP 503 — since \d\d:\d\d:\d\d \(/);

    // The probe chart has the instance's line.
    await page.locator('[data-chart="probe"] .chart-legend', { hasText: 'h-1' }).waitFor({ timeout: 15_000 });
  });

  it('draws reported calls live, without a reload', async () => {
    const service = 'e2e-calls';
    await etcd.put(`/services/${service}/c-1`, registration(health.port));
    await page.goto(`${server.url}/services/${service}?window=5m`);
    await page.getByText(`No calls reported for ${service} in the last 5 minutes`).waitFor({ timeout: 15_000 });
    await page.evaluate(() => ((window as Probe).__noReload = true));

    await postCalls(service);
    await page.locator('[data-chart="rps"]').waitFor({ timeout: 15_000 });
    // A report's seconds are drawn once its lag (the 1 s interval and its delivery) has passed: until then they are shaded as still arriving.
    await expect.poll(() => pointsOf(page, 'rps'), { timeout: 15_000, message: 'the first report drawn once settled' }).toBeGreaterThan(0);
    const first = await pointsOf(page, 'rps');

    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await postCalls(service);
    }
    await expect.poll(() => pointsOf(page, 'rps'), { timeout: 15_000, message: 'the request-rate chart grows live' }).toBeGreaterThanOrEqual(first + 3);
    expect(await pointsOf(page, 'latency')).toBeGreaterThan(first);
    expect(await pointsOf(page, 'errors')).toBeGreaterThan(first);
    // Reports arrive every second, 1 s after their interval: the newest seconds are shaded, not drawn partial.
    expect(await page.locator('[data-chart="errors"] .recharts-reference-area').count()).toBe(1);
    expect(await page.locator('.latency__arriving').textContent()).toMatch(/^last [1-4] s still arriving \(shaded\)$/);
    // Lines are drawn as SVG paths with units on the axes.
    expect(await page.locator('[data-chart="latency"] .recharts-line-curve').count()).toBe(3);
    expect(await page.locator('[data-chart="latency"] .recharts-cartesian-axis-tick-value').allTextContents()).toContain('0 ms');
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('picks the window with the mouse and the keyboard, and keeps it in the URL', async () => {
    await openServiceWithCalls('e2e-window');
    const picker = page.getByRole('radiogroup', { name: 'Time window' });
    await picker.getByRole('radio', { name: '1h' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe('1h');
    await page.locator('.chart-grid[data-window="1h"]').waitFor({ timeout: 15_000 });
    expect(await picker.getByRole('radio', { name: '1h' }).getAttribute('aria-checked')).toBe('true');

    await picker.getByRole('radio', { name: '1h' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).searchParams.get('window')).toBe('6h');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('6h');

    await page.reload();
    expect(await page.getByRole('radio', { name: '6h' }).getAttribute('aria-checked')).toBe('true');
    expect(errors).toEqual([]);
  });

  it('stops polling while the tab is hidden and refreshes as soon as it shows again', async () => {
    await openServiceWithCalls('e2e-polling');
    const requests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/latency?')) requests.push(request.url());
    });
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);

    await setVisibility('hidden');
    await new Promise((resolve) => setTimeout(resolve, 500)); // a request already in flight may finish
    requests.length = 0;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(requests).toEqual([]);

    await setVisibility('visible');
    await expect.poll(() => requests.length, { timeout: 2_000 }).toBeGreaterThanOrEqual(2);
  });
});
