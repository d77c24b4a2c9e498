import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startScaleFleet, type ScaleFleet } from '@/demo/scale';
import { startEtcd } from '../support/etcd';
import { startHealthTarget } from '../support/health-target';
import { ADMIN_PASSWORD, eventually, startServer, type TestServer } from '../support/server';
import { startBrowserStack, useSession, type BrowserStack } from '../support/stack';

type Probe = Window & { __noReload?: boolean };

const registration = (port: number) => JSON.stringify({ address: `127.0.0.1:${port}`, version: '1.0.0' });
/** A timeline row, by its accessible name ("Deregistered: service / instance"). */
const row = (page: Page, name: string): Locator => page.getByRole('article', { name, exact: true });

describe('failure history in Chromium', () => {
  let stack: BrowserStack;
  let page: Page;
  let errors: string[];

  /** Each test opens its own page and arranges its own services: any order, any subset. */
  const openHistory = async (query = ''): Promise<void> => {
    ({ page, errors } = await stack.freshPage());
    await page.goto(`${stack.server.url}/history${query}`, { waitUntil: 'networkidle' });
    await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
  };
  /** A service that registered and was deleted again: two history rows of its own. */
  const registerAndDelete = async (service: string, id: string, port: number): Promise<void> => {
    const key = `/services/${service}/${id}`;
    await stack.etcd.put(key, registration(port));
    await eventually(async () => ((await (await stack.server.fetch(`/api/v1/events?service=${service}&kind=instance.registered`)).json()).events?.length ? true : undefined), 5_000, `${service} registered`);
    await stack.etcd.delete(key);
  };

  beforeAll(async () => {
    stack = await startBrowserStack();
  });
  afterEach(async () => {
    await page?.context().close();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('shows a lease expiry live, without a reload', async () => {
    // Something to show before the page opens: another service's instance.
    await stack.etcd.put('/services/e2e-hist-b/b-1', registration(9102));
    await openHistory();
    await row(page, 'Registered: e2e-hist-b / b-1').waitFor({ timeout: 5_000 });
    await page.evaluate(() => ((window as Probe).__noReload = true));

    await stack.etcd.put('/services/e2e-hist-a/a-1', registration(9101), 2);
    await row(page, 'Registered: e2e-hist-a / a-1').waitFor({ timeout: 5_000 });
    const expired = row(page, 'Deregistered: e2e-hist-a / a-1');
    await expired.waitFor({ timeout: 15_000 });
    // etcd does not say whether a lease expired or was revoked; history says so when it can tell (lease-end.ts).
    await expect.poll(() => expired.textContent()).toMatch(/lease \S+ (expired|ended \(revoked or expired\))/);
    // Enter on the focused row expands it: the full detail, the instance, the kind.
    await expired.focus();
    await page.keyboard.press('Enter');
    await expired.getByText('instance.deregistered', { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);
  });

  it('folds a run of first passes into one line, and lists them when it is opened', async () => {
    const health = await startHealthTarget();
    try {
      const service = 'e2e-hist-g';
      const ids = ['g-1', 'g-2', 'g-3'];
      for (const id of ids) await stack.etcd.put(`/services/${service}/${id}`, JSON.stringify({ address: health.address, health: { http: '/healthz' } }));
      // Each instance's first verdict, passing: what every instance says after a restart.
      await eventually(async () => {
        const body = (await (await stack.server.fetch(`/api/v1/events?service=${service}&kind=health.changed`)).json()) as { events: { from?: string; to?: string }[] };
        return body.events.filter((event) => event.from === 'unknown' && event.to === 'passing').length === ids.length ? true : undefined;
      }, 30_000, 'three first passes');
      await openHistory(`?service=${service}`);
      const group = row(page, `First probes passed: 3 instances of ${service}`);
      await group.waitFor({ timeout: 5_000 });
      expect(await group.locator('.timeline-row__toggle').getAttribute('aria-expanded')).toBe('false');
      expect(await group.textContent()).toContain('first probe passed');
      expect(await row(page, `Health changed: ${service} / g-1`).count()).toBe(0);
      // The registrations before them stay lines of their own.
      await row(page, `Registered: ${service} / g-1`).waitFor();

      await group.focus();
      await page.keyboard.press('Enter');
      for (const id of ids) await row(page, `Health changed: ${service} / ${id}`).waitFor({ timeout: 5_000 });
      expect(await group.locator('.timeline-row__toggle').getAttribute('aria-expanded')).toBe('true');
      await group.click();
      await row(page, `Health changed: ${service} / g-1`).waitFor({ state: 'detached', timeout: 5_000 });
      expect(errors).toEqual([]);
    } finally {
      await health.close();
    }
  });

  it('folds the instances a restart found gone into one line', async () => {
    // A server of its own, restarted on its data dir, watching the stack's etcd.
    const service = 'e2e-hist-gone';
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-e2e-gone-'));
    let restarted: TestServer | undefined;
    const first = await startServer({ etcdEndpoints: stack.etcd.endpoints, dataDir });
    try {
      const ids = ['r-1', 'r-2', 'r-3'];
      for (const [i, id] of ids.entries()) await stack.etcd.put(`/services/${service}/${id}`, registration(9120 + i));
      await eventually(async () => ((await (await first.fetch(`/api/v1/events?service=${service}&kind=instance.registered`)).json()).events?.length === ids.length ? true : undefined), 10_000, `${service} registered`);
      await first.stop();
      for (const id of ids) await stack.etcd.delete(`/services/${service}/${id}`);
      restarted = await startServer({ etcdEndpoints: stack.etcd.endpoints, dataDir });
      const server = restarted;
      await eventually(async () => ((await (await server.fetch(`/api/v1/events?service=${service}&kind=instance.deregistered`)).json()).events?.length === ids.length ? true : undefined), 10_000, 'the relist\u2019s deregistrations');

      ({ page, errors } = await stack.freshPage());
      await useSession(page, server, await server.login('admin', ADMIN_PASSWORD));
      await page.goto(`${server.url}/history?service=${service}`, { waitUntil: 'networkidle' });
      const group = row(page, `Deregistered while Switchyard was not watching: 3 instances of ${service}`);
      await group.waitFor({ timeout: 10_000 });
      expect(await group.textContent()).toContain('gone while Switchyard was not watching');
      expect(await row(page, `Deregistered: ${service} / r-1`).count()).toBe(0);
      await group.focus();
      await page.keyboard.press('Enter');
      for (const id of ids) await row(page, `Deregistered: ${service} / ${id}`).waitFor({ timeout: 5_000 });
      expect(errors).toEqual([]);
    } finally {
      await first.stop();
      await restarted?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('loads every page of a history whose older pages fold into lines already shown', async () => {
    // A fleet of its own (etcd and server), present when the server starts: each instance's
    // registration at start and first pass fold into two lines, over more pages than that.
    const instances = 600;
    const etcd = await startEtcd();
    let fleet: ScaleFleet | undefined;
    let server: TestServer | undefined;
    try {
      fleet = await startScaleFleet(etcd.client, { services: 60, instances, traffic: false, rps: 0, leaseTtlSeconds: 60 });
      server = await startServer({ etcdEndpoints: etcd.endpoints });
      const own = server;
      const firstVerdicts = async (): Promise<number> => {
        let count = 0;
        for (let cursor: string | null = ''; cursor !== null; ) {
          const body = (await (await own.fetch(`/api/v1/events?kind=health.changed&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()) as { events: { from?: string }[]; nextCursor: string | null };
          count += body.events.filter((event) => event.from === 'unknown').length;
          cursor = body.nextCursor;
        }
        return count;
      };
      await eventually(async () => ((await firstVerdicts()) === instances ? true : undefined), 30_000, 'every instance probed once');

      ({ page, errors } = await stack.freshPage());
      await useSession(page, own, await own.login('admin', ADMIN_PASSWORD));
      await page.goto(`${own.url}/history`, { waitUntil: 'networkidle' });
      await page.getByRole('article', { name: /^First probes passed: \d+ instances of 60 services$/ }).first().waitFor({ timeout: 10_000 });
      // Three pages of 500: the third folds into the two lines the first two made, and still loads.
      const footer = page.locator('.timeline-footer');
      // The events, and how many of them are grouped into how many rows (timelineCount).
      const counted = /^Start of the range — ([\d,]+) events · ([\d,]+) grouped into ([\d,]+) rows?$/;
      await footer.getByText(counted).waitFor({ timeout: 10_000 });
      const [, events = '', grouped = '', rows = ''] = counted.exec((await footer.textContent()) ?? '') ?? [];
      const count = (digits: string): number => Number(digits.replace(/,/g, ''));
      expect(count(events)).toBeGreaterThanOrEqual(2 * instances);
      // All but a few of them grouped, into a few rows.
      expect(count(events) - count(grouped)).toBeLessThan(10);
      expect(count(rows)).toBeLessThan(10);
      expect(errors).toEqual([]);
    } finally {
      await fleet?.stop();
      await server?.stop();
      await etcd.stop();
    }
  });

  it("says how long ago events happened on the server's clock, when the browser's clock runs hours fast", async () => {
    const service = 'e2e-hist-h';
    await stack.etcd.put(`/services/${service}/h-1`, registration(9107));
    await eventually(async () => ((await (await stack.server.fetch(`/api/v1/events?service=${service}&kind=instance.registered`)).json()).events?.length ? true : undefined), 5_000, `${service} registered`);
    ({ page, errors } = await stack.freshPage());
    // The browser's clock 3 h ahead of the server's (and of this machine's), running on from there.
    await page.clock.install({ time: Date.now() + 3 * 3_600_000 });
    await page.clock.resume();
    await page.goto(`${stack.server.url}/history?service=${service}`, { waitUntil: 'networkidle' });
    const registered = row(page, `Registered: ${service} / h-1`);
    await registered.waitFor({ timeout: 5_000 });
    await expect.poll(() => registered.locator('.event-time__ago').textContent()).toMatch(/^(just now|\d+ s ago)$/);
    expect(errors).toEqual([]);
  });

  it('lists an incident as soon as its failure is recorded, not at the next 30 s poll', async () => {
    const service = 'e2e-hist-i';
    await openHistory(`?view=incidents&service=${service}`);
    await page.getByText('No incidents in this range').waitFor({ timeout: 5_000 });
    // A lease running out under a healthy instance: a failure of an instant, an incident of its own.
    await stack.etcd.put(`/services/${service}/i-1`, registration(9107), 2);
    await eventually(async () => {
      const body = (await (await stack.server.fetch(`/api/v1/incidents?service=${service}`)).json()) as { incidents: unknown[] };
      return body.incidents.length > 0 ? true : undefined;
    }, 20_000, 'the incident in the API');
    await page.locator('.table--incidents').getByRole('link', { name: service, exact: true }).waitFor({ timeout: 5_000 });
    expect(errors).toEqual([]);
  });

  it('lets a slow incidents answer arrive while rows keep coming, instead of dropping it for a new request every 2 s', async () => {
    const service = 'e2e-hist-s';
    ({ page, errors } = await stack.freshPage());
    // Every answer held 3 s, as a week of a flapping fleet's rows can take to analyse: longer than 2 s between requests.
    await page.route('**/api/v1/incidents?**', async (route) => {
      const response = await route.fetch();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await route.fulfill({ response }).catch(() => undefined);
    });
    const dropped: string[] = [];
    page.on('requestfailed', (request) => {
      if (request.url().includes('/api/v1/incidents')) dropped.push(request.failure()?.errorText ?? 'failed');
    });
    await page.goto(`${stack.server.url}/history?view=incidents&service=${service}`, { waitUntil: 'networkidle' });
    await page.getByText('No incidents in this range').waitFor({ timeout: 10_000 });
    // A lease running out: an incident. Meanwhile an instance leaving every ~0.5 s: rows that may change incidents, without end.
    await stack.etcd.put(`/services/${service}/s-1`, registration(9108), 2);
    let flapping = true;
    const flap = (async () => {
      while (flapping) {
        await stack.etcd.put(`/services/${service}/s-2`, registration(9109));
        await stack.etcd.delete(`/services/${service}/s-2`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    try {
      await page.locator('.table--incidents').getByRole('link', { name: service, exact: true }).waitFor({ timeout: 20_000 });
    } finally {
      flapping = false;
      await flap;
    }
    expect(dropped).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('moves the service page’s uptime and strips as an outage is recorded, not at the next minute’s poll', async () => {
    const health = await startHealthTarget();
    try {
      const service = 'e2e-hist-u';
      await stack.etcd.put(`/services/${service}/u-1`, JSON.stringify({ address: health.address, health: { http: '/healthz' } }));
      const criticalRows = async (): Promise<number> => ((await (await stack.server.fetch(`/api/v1/events?service=${service}&kind=health.changed`)).json()) as { events: { to?: string }[] }).events.filter((event) => event.to === 'critical').length;
      await eventually(async () => ((await (await stack.server.fetch(`/api/v1/events?service=${service}&kind=health.changed`)).json()).events?.length ? true : undefined), 15_000, `${service} probed`);
      ({ page, errors } = await stack.freshPage());
      await page.goto(`${stack.server.url}/services/${service}`, { waitUntil: 'networkidle' });
      const figure = page.locator('.service-history__uptime strong');
      const serviceNow = page.locator('.heartbeat').first().locator('.heartbeat__cell').last();
      await expect.poll(() => figure.textContent()).toBe('100%');
      // The page's uptime is now fresh: its next poll is a minute away, the failure seconds.
      health.setStatus(503);
      await eventually(async () => ((await criticalRows()) > 0 ? true : undefined), 45_000, `${service} critical`);
      await expect.poll(() => figure.textContent()).not.toBe('100%');
      await expect.poll(() => serviceNow.getAttribute('class')).toContain('heartbeat__cell--critical');
      expect(errors).toEqual([]);
    } finally {
      await health.close();
    }
  });

  it('narrows to one service, and the URL says so', async () => {
    await registerAndDelete('e2e-hist-c', 'c-1', 9103);
    await stack.etcd.put('/services/e2e-hist-d/d-1', registration(9104));
    await openHistory();
    await row(page, 'Registered: e2e-hist-d / d-1').waitFor({ timeout: 5_000 });
    await page.getByLabel('Service', { exact: true }).fill('e2e-hist-c');
    await page.waitForURL((url) => url.searchParams.get('service') === 'e2e-hist-c', { timeout: 5_000 });
    await row(page, 'Registered: e2e-hist-d / d-1').waitFor({ state: 'detached', timeout: 5_000 });
    await row(page, 'Deregistered: e2e-hist-c / c-1').waitFor();
    expect(await page.getByRole('article').filter({ hasText: 'e2e-hist-d' }).count()).toBe(0);

    // The URL alone reproduces the view.
    await page.goto(page.url(), { waitUntil: 'networkidle' });
    await row(page, 'Deregistered: e2e-hist-c / c-1').waitFor({ timeout: 5_000 });
    expect(await page.getByRole('article').filter({ hasText: 'e2e-hist-d' }).count()).toBe(0);
  });

  it('exports the filtered view as CSV', async () => {
    await registerAndDelete('e2e-hist-e', 'e-1', 9105);
    await stack.etcd.put('/services/e2e-hist-f/f-1', registration(9106));
    await openHistory('?service=e2e-hist-e');
    await row(page, 'Deregistered: e2e-hist-e / e-1').waitFor({ timeout: 5_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split(/\r?\n/);
    expect(lines.some((line) => line.includes('instance.deregistered') && line.includes('e2e-hist-e') && line.includes('e-1'))).toBe(true);
    expect(csv).not.toContain('e2e-hist-f');
    expect(errors).toEqual([]);
  });
});
