import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { IngestBatch } from '@/lib/model/ingest';
import { instanceDrainUrl } from '@/lib/client/drainApi';
import { servicePath } from '@/lib/client/routes';
import { parseCsv } from '../support/csv';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, type TestServer } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/** Every payload sets this canary; it must stay undefined on every page. */
type Canary = Window & { __pwned?: unknown };

const PWN = 'window.__pwned=1';
const IMG = `<img src=x onerror="${PWN}">`;
const SCRIPT = `<script>${PWN}</script>`;
const SVG = `"><svg onload=${PWN}>`;
/** The service SCRIPT's grpc-go target names: the key segment before the address (SCRIPT holds a "/"). */
const SCRIPT_SERVICE = 'script>';
const JS_URL = `javascript:${PWN}`;
const TEMPLATE = `{{constructor.constructor('${PWN}')()}}`;
const RTL = '\u202Egnp.exe-rtl';
// No "/": a service name is one key segment (README "Naming and leases"), so a slash would split it.
const FORMULA = `=cmd|' -C calc'!A0`;
const AT_FORMULA = '@SUM(1)';
const MINUS_FORMULA = '-2+3';
/** As long as a name may be (256 characters), with no place to break a line, and a payload at the end. */
const LONG = `${'averylongservicename'.repeat(12)}${IMG}`.slice(0, 256);
/** 10 KB: over every cap, so the entry is refused, but it must not break anything on the way. */
const HUGE = IMG.repeat(Math.ceil(10_240 / IMG.length));
const REASON = `${FORMULA} ${IMG}`;
/** The API only takes `[\w.@:+-]` actors, which still allows a formula. */
/** A user name that is also a spreadsheet formula (user names allow `@`, `+` and `-`). */
const API_ACTOR = '@evil+1-1';
/** A drain written straight into etcd carries whatever its writer wants. */
const ETCD_DRAIN = { by: SCRIPT, reason: `${TEMPLATE} ${'x'.repeat(10_000)}`, at: new Date().toISOString() };
const ETCD_REASON = ETCD_DRAIN.reason.slice(0, 1_024);

const screenshots = path.resolve(import.meta.dirname, '../../test-results');
/** An element a payload would have to create: React never sets these attributes from data. */
const INJECTED = '[onerror], [onload], [onclick], [onmouseover], a[href^="javascript:" i], iframe, object, embed';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const nodeNamed = (page: Page, name: string): Locator =>
  page.locator('.react-flow__node').filter({ has: page.locator('.tnode__name').getByText(name, { exact: true }) });

describe('hostile fleet data in Chromium', () => {
  let stack: BrowserStack;
  let health: HealthTarget;
  let server: TestServer;
  let page: Page;
  let errors: string[];
  const dialogs: string[] = [];

  /** The canary, prototype pollution and injected elements: none of them, on whatever page is open. */
  const expectNothingRan = async (): Promise<void> => {
    const seen = await page.evaluate(
      (selector) => ({
        pwned: (window as Canary).__pwned,
        polluted: (Object.prototype as Record<string, unknown>).polluted,
        injected: [...document.querySelectorAll(selector)].map((element) => element.outerHTML.slice(0, 120)),
      }),
      INJECTED,
    );
    expect(seen).toEqual({ pwned: undefined, polluted: undefined, injected: [] });
    expect(dialogs).toEqual([]);
  };

  const ingest = (batch: IngestBatch): Promise<Response> =>
    server.fetch(`/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
  const callsFromHostile = (): IngestBatch => ({
    reporter: { service: IMG, instance: SVG },
    intervalStart: new Date(Date.now() - 1_000).toISOString(),
    intervalSeconds: 1,
    calls: [
      { to: SCRIPT, toInstance: health.address, count: 10, errors: 1, latencyMs: { bounds: [5, 10], counts: [8, 2, 0] } },
      { to: `${TEMPLATE}-db`, count: 4, errors: 0, latencyMs: { bounds: [5, 10], counts: [4, 0, 0] } },
    ],
  });

  beforeAll(async () => {
    health = await startHealthTarget();
    const check = { http: '/healthz' };
    // Object.fromEntries defines `__proto__` as an own key, so JSON.stringify writes it like a stranger's encoder would.
    const metadata = Object.fromEntries([
      ['__proto__', 'polluted'],
      ['constructor', 'polluted'],
      [IMG, JS_URL],
      ['homepage', JS_URL],
      ['template', TEMPLATE],
      ['rtl', RTL],
      ['script', SCRIPT],
      ['big', HUGE],
    ]);
    stack = await startBrowserStack({
      env: { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500' },
      before: async (etcd) => {
        // Native keys allow anything but "/" in names; grpc-go targets allow "/" too.
        const native = (service: string, id: string, value: Record<string, unknown>) =>
          etcd.put(`/services/${service}/${id}`, JSON.stringify({ address: health.address, health: check, ...value }));
        await native(IMG, SVG, { version: TEMPLATE, zone: SCRIPT, metadata, dependsOn: [SCRIPT, SVG, FORMULA] });
        await native(IMG, `${IMG}-2`, { version: TEMPLATE, zone: RTL });
        await native(SVG, TEMPLATE, { version: SVG, zone: IMG });
        await native(AT_FORMULA, MINUS_FORMULA, { zone: '+zone' });
        await native(AT_FORMULA, '..', {});
        await native(RTL, '\t=tab', {});
        await native(LONG, `${LONG.slice(0, 200)}-instance`, { metadata: { note: LONG } });
        await native(HUGE, 'refused', {});
        await etcd.put(`${SCRIPT}/${health.address}`, JSON.stringify({ Op: 0, Addr: health.address, Metadata: { [SVG]: SCRIPT } }));
        await etcd.put(`${FORMULA}/${health.address}`, JSON.stringify({ Op: 0, Addr: health.address }));
        // Not a registration: listed on /diagnostics under its (hostile) first segment.
        await etcd.put(`/${IMG}/config`, SCRIPT);
      },
    });
    ({ server, page, errors } = stack);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await eventually(async () => ((await server.fetch('/readyz')).ok ? true : undefined), 15_000, 'registry synced');
    expect((await ingest(callsFromHostile())).status).toBeLessThan(300);
    const drain = await server.fetch(`/api/v1/services/${encodeURIComponent(IMG)}/instances/${encodeURIComponent(SVG)}/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: await server.userSession(API_ACTOR, 'operator'), origin: server.url },
      body: JSON.stringify({ reason: REASON, force: true }),
    });
    expect(drain.status).toBe(200);
    // Written while we watch, so the history records it like an etcdctl drain.
    await stack.etcd.put(`/switchyard/drain/${encodeURIComponent(IMG)}/${encodeURIComponent(`${IMG}-2`)}`, JSON.stringify(ETCD_DRAIN));
  });

  afterAll(async () => {
    await stack?.stop();
    await health?.close();
  });

  it('draws hostile names on the map as text, in nodes, tooltips and the side panel', async () => {
    expect((await ingest(callsFromHostile())).status).toBeLessThan(300);
    await page.goto(server.url);
    for (const name of [IMG, SCRIPT, SVG, FORMULA, AT_FORMULA, RTL, LONG, `${TEMPLATE}-db`]) {
      await nodeNamed(page, name).waitFor({ timeout: 15_000 });
    }
    await expectNothingRan();
    expect(await nodeNamed(page, IMG).locator('.tnode').getAttribute('title')).toMatch(new RegExp(`^${escapeRegExp(IMG)} — `));
    expect(await nodeNamed(page, HUGE).count()).toBe(0);

    await nodeNamed(page, IMG).click();
    const panel = page.getByRole('complementary');
    await panel.getByRole('heading', { name: IMG, exact: true }).waitFor();
    expect(await panel.getByRole('link', { name: /Open service page/ }).getAttribute('href')).toBe(servicePath(IMG));
    await panel.getByTitle(SVG, { exact: true }).first().waitFor();
    await panel.getByTitle(`Drained by ${API_ACTOR}: ${REASON}`, { exact: true }).waitFor();
    await panel.getByTitle(`Drained by ${SCRIPT}: ${ETCD_REASON}`, { exact: true }).waitFor();
    await panel.getByRole('button', { name: SCRIPT }).waitFor();
    await nodeNamed(page, LONG).hover();
    await expectNothingRan();
    await page.screenshot({ path: path.join(screenshots, 'hostile-map.png') });
  });

  it('never lets a name move an API call to another endpoint', async () => {
    // Unencoded, `…/instances/../drain` would resolve to the service's bulk drain (422 there).
    const response = await server.fetch(new URL(instanceDrainUrl(AT_FORMULA, '..'), server.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'dots', force: true }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found', field: 'id' } });
  });

  it('lists hostile services as text links to their encoded pages', async () => {
    await page.goto(`${server.url}/services`);
    for (const name of [IMG, SCRIPT_SERVICE, SVG, FORMULA, AT_FORMULA, RTL, LONG]) {
      const link = page.getByRole('link', { name, exact: true });
      await link.waitFor({ timeout: 10_000 });
      expect(await link.getAttribute('href')).toBe(servicePath(name));
    }
    await expectNothingRan();
  });

  it('shows a hostile service page, its instances, metadata, drain and charts as text', async () => {
    await page.goto(`${server.url}${servicePath(IMG)}?window=5m`);
    await page.getByRole('heading', { level: 1, name: IMG, exact: true }).waitFor({ timeout: 10_000 });
    expect(await page.title()).toBe(`${IMG} · Switchyard`);
    const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: SVG, exact: true }) });
    await row.waitFor();
    await row.getByRole('cell', { name: TEMPLATE, exact: true }).waitFor();
    await page.getByText(REASON, { exact: true }).first().waitFor();

    await row.getByRole('button', { name: /keys/ }).click();
    const metadata = page.locator('.metadata');
    await metadata.getByText(IMG, { exact: true }).waitFor();
    const keys = await metadata.locator('dt').allTextContents();
    // Keys named like Object.prototype members are a stranger's data like any other, shown as text.
    expect(keys).toEqual(expect.arrayContaining(['__proto__', 'constructor', IMG, 'homepage', 'template', 'rtl', 'script', 'big']));
    expect(await metadata.getByText('polluted', { exact: true }).count()).toBe(2);
    expect(await metadata.getByText(JS_URL, { exact: true }).count()).toBe(2);
    expect(await metadata.getByText(TEMPLATE, { exact: true }).count()).toBe(1);
    // Metadata values are clipped to 1 KiB when decoded.
    expect((await metadata.locator('dd').allTextContents()).find((value) => value.startsWith(IMG))).toHaveLength(1_024);

    // The probe chart's recharts tooltip names instances: hover it once probes have landed.
    const plot = page.locator('[data-chart="probe"] .recharts-surface');
    await plot.waitFor({ timeout: 15_000 });
    const box = await plot.boundingBox();
    if (!box) throw new Error('probe chart has no box');
    await eventually(
      async () => {
        await page.mouse.move(box.x + box.width - 30, box.y + box.height / 2);
        return (await page.locator('.chart-tooltip').getByText(SVG, { exact: true }).count()) > 0 ? true : undefined;
      },
      15_000,
      'probe tooltip naming the hostile instance',
    );
    await expectNothingRan();
    await page.screenshot({ path: path.join(screenshots, 'hostile-service.png'), fullPage: true });

    await page.goto(`${server.url}${servicePath(LONG)}`);
    await page.getByRole('heading', { level: 1, name: LONG, exact: true }).waitFor({ timeout: 10_000 });
    await expectNothingRan();
    await page.screenshot({ path: path.join(screenshots, 'hostile-long-name.png') });
  });

  it('keeps hostile names inert in the history, and neutralises them in the CSV export', async () => {
    await page.goto(`${server.url}/history`);
    // The fleet as Switchyard found it at start is one folded line (and first passes another): open them, so every name is drawn.
    await page.getByRole('article', { name: /^Registered when Switchyard started: / }).waitFor({ timeout: 10_000 });
    const closed = page.locator('.timeline-row--group .timeline-row__toggle[aria-expanded="false"]');
    for (let opened = 0; opened < 10 && (await closed.count()) > 0; opened += 1) await closed.first().click();
    await page.getByRole('article', { name: `Registered: ${IMG} / ${SVG}`, exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('article', { name: `Registered: ${FORMULA} / ${health.address}`, exact: true }).waitFor();
    const drained = page.getByRole('article', { name: `Drained: ${IMG} / ${SVG}`, exact: true });
    // The API and the watch both record the drain, whichever first (the API adds "(until lifted)…").
    expect(await drained.locator('.timeline-row__detail').textContent()).toMatch(new RegExp(`^${escapeRegExp(REASON)}`));
    expect(await drained.locator('.timeline-row__actor').textContent()).toBe(API_ACTOR);
    const drainedByEtcd = page.getByRole('article', { name: `Drained: ${IMG} / ${IMG}-2`, exact: true });
    expect(await drainedByEtcd.locator('.timeline-row__actor').textContent()).toBe(SCRIPT);
    await expectNothingRan();
    await page.screenshot({ path: path.join(screenshots, 'hostile-history.png') });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const rows = parseCsv(await readFile(await download.path(), 'utf8'));
    const [header, ...events] = rows;
    expect(header).toEqual(['id', 'at', 'kind', 'service', 'instance', 'from', 'to', 'actor', 'detail', 'until']);
    for (const cell of events.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const column = (name: string): string[] => events.map((event) => event[header?.indexOf(name) ?? -1] ?? '');
    expect(column('service')).toEqual(expect.arrayContaining([`'${FORMULA}`, `'${AT_FORMULA}`, IMG, SCRIPT_SERVICE, SVG, RTL, LONG]));
    expect(column('instance')).toEqual(expect.arrayContaining([`'${MINUS_FORMULA}`, `'\t=tab`, SVG, TEMPLATE]));
    expect(column('detail').filter((cell) => cell.startsWith(`'${REASON}`))).toHaveLength(1);
    expect(column('actor')).toEqual(expect.arrayContaining([`'${API_ACTOR}`, SCRIPT]));
  });

  it('lists a hostile unrecognised prefix on /diagnostics as text', async () => {
    await page.goto(`${server.url}/diagnostics`);
    await page.getByRole('cell', { name: `/${IMG}/`, exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('cell', { name: `/${IMG}/config`, exact: true }).waitFor();
    await expectNothingRan();
    expect(errors).toEqual([]);
  });
});
