import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { IngestBatch } from '@/lib/model/ingest';
import type { TestEtcd } from '../support/etcd';
import { startHealthTarget, type HealthTarget } from '../support/health-target';
import { eventually, type TestServer } from '../support/server';
import { startBrowserStack, useSession, type BrowserStack } from '../support/stack';

type Probe = Window & { __noReload?: boolean };

const SERVICE = 'e2e-drain';
const QUIET_SECONDS = 2;
const env = { SWITCHYARD_PROBE_INTERVAL_MS: '500', SWITCHYARD_PROBE_TIMEOUT_MS: '500', SWITCHYARD_DRAIN_QUIET_SECONDS: String(QUIET_SECONDS) };
const INSTANCES = [
  { id: 'd-1', zone: 'z1', version: '1.0.0' },
  { id: 'd-2', zone: 'z1', version: '1.0.0' },
  { id: 'd-3', zone: 'z2', version: '1.1.0' },
];

/** One second of calls from a caller to one instance, ending now: what a client that has not moved away reports. */
const callsTo = (toInstance: string): IngestBatch => ({
  reporter: { service: 'e2e-caller', instance: 'c-1' },
  intervalStart: new Date(Date.now() - 1_000).toISOString(),
  intervalSeconds: 1,
  calls: [{ to: SERVICE, toInstance, count: 20, errors: 0, latencyMs: { bounds: [5, 10], counts: [15, 5, 0] } }],
});

const rowOf = (page: Page, id: string): Locator => page.getByRole('row').filter({ has: page.getByRole('cell', { name: id, exact: true }) });
/** The line under a drained row (state, who, why, until). */
const drainRowOf = (page: Page, id: string): Locator => page.getByRole('row', { name: new RegExp(`^Drain of ${id}:`) });
const drainKey = (id: string): string => `/switchyard/drain/${SERVICE}/${id}`;
/** Console errors other than the browser's own note on each 4xx answer, which these tests provoke on purpose. */
const unexpected = (errors: string[]): string[] => errors.filter((e) => !e.startsWith('Failed to load resource'));

describe('drain in Chromium', () => {
  let stack: BrowserStack;
  let health: HealthTarget;
  let etcd: TestEtcd;
  let server: TestServer;
  let page: Page;
  let errors: string[];
  /** Another operator's pipeline, draining behind the page's back. */
  let otherOperator: string;

  const api = (id: string, method: 'POST' | 'DELETE', body?: unknown): Promise<Response> =>
    server.fetch(`/api/v1/services/${SERVICE}/instances/${id}/drain`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${otherOperator}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const storedDrain = async (id: string): Promise<{ by: string; reason: string; until?: string } | null> => {
    const value = await etcd.client.get(drainKey(id)).string();
    return value === null ? null : (JSON.parse(value) as { by: string; reason: string; until?: string });
  };
  const dialogNamed = (name: string | RegExp): Locator => page.getByRole('dialog', { name });

  beforeAll(async () => {
    health = await startHealthTarget();
    stack = await startBrowserStack({
      env,
      before: async (fresh) => {
        for (const { id, zone, version } of INSTANCES) {
          await fresh.put(`/services/${SERVICE}/${id}`, JSON.stringify({ address: health.address, zone, version, health: { http: '/healthz' } }));
        }
      },
      user: { name: 'e2e-operator', role: 'operator' },
    });
    ({ etcd, server, page, errors } = stack);
    otherOperator = await server.createToken({ name: 'someone-else', role: 'operator' });
  });

  afterAll(async () => {
    await stack?.stop();
    await health?.close();
  });

  it('drains through the dialog, goes draining → drained when calls stop, records it, and undrains', async () => {
    // None drained, and the console's errors from here on (a retry finds what a failed first attempt left).
    for (const id of ['d-1', 'd-2', 'd-3']) await api(id, 'DELETE');
    const errorsFrom = errors.length;
    // A caller keeps calling d-1 until it "moves away".
    const post = () => server.fetch(`/api/v1/ingest/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callsTo('d-1')) });
    expect((await post()).status).toBeLessThan(300);
    const reports = setInterval(() => void post().catch(() => undefined), 500);
    try {
      await page.goto(`${server.url}/services/${SERVICE}`);
      for (const { id } of INSTANCES) await rowOf(page, id).locator('.badge--passing').waitFor({ timeout: 15_000 });
      await page.evaluate(() => ((window as Probe).__noReload = true));

      const opener = rowOf(page, 'd-1').getByRole('button', { name: 'Drain d-1' });
      await opener.click();
      const dialog = dialogNamed('Drain d-1');
      await dialog.waitFor();
      const reason = dialog.getByLabel('Reason (required)');
      expect(await reason.evaluate((el) => el === document.activeElement)).toBe(true);

      // Enter with no reason: the field says why, nothing is written.
      await page.keyboard.press('Enter');
      await dialog.getByText('Give a reason').waitFor();
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await storedDrain('d-1')).toBeNull();

      // Tab stays inside the dialog.
      for (let i = 0; i < 14; i += 1) {
        await page.keyboard.press('Tab');
        expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
      }

      await reason.fill('e2e: rolling deploy 2.4.1');
      await dialog.getByText('25 / 500').waitFor();
      await dialog.getByRole('radio', { name: '15 min' }).check();
      await reason.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached', timeout: 10_000 });
      // Focus returns to where the dialog was opened from (the same button, "Undrain" once the change arrives).
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Undrain d-1');

      const note = drainRowOf(page, 'd-1');
      await note.locator('.badge--drain', { hasText: /^Draining$/ }).waitFor({ timeout: 5_000 });
      expect(await note.textContent()).toMatch(/by e2e-operator.*e2e: rolling deploy 2\.4\.1.*until \d\d:\d\d:\d\d \(in 1[45] min\)/);
      expect(await storedDrain('d-1')).toMatchObject({ by: 'e2e-operator', reason: 'e2e: rolling deploy 2.4.1', until: expect.any(String) });

      // Callers keep calling: still draining after the quiet period would have passed.
      await new Promise((resolve) => setTimeout(resolve, (QUIET_SECONDS + 1) * 1_000));
      expect(await note.locator('.badge--drain').textContent()).toBe('Draining');
    } finally {
      clearInterval(reports);
    }
    // Callers moved away: drained within the quiet period plus the monitor's 2 s tick and the live path.
    await drainRowOf(page, 'd-1').locator('.badge--drain', { hasText: /^Drained$/ }).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (window as Probe).__noReload)).toBe(true);

    // History has it, with the reason and who.
    const history = await page.context().newPage();
    await history.goto(`${server.url}/history`);
    // The newest first (a retry's history also holds the first attempt's).
    const event = history.getByRole('article', { name: `Drained: ${SERVICE} / d-1`, exact: true }).first();
    await event.waitFor({ timeout: 10_000 });
    expect(await event.textContent()).toContain('e2e: rolling deploy 2.4.1');
    expect(await event.textContent()).toContain('e2e-operator');
    await history.close();

    // Undrain, confirmed: the badge and the key go.
    await rowOf(page, 'd-1').getByRole('button', { name: 'Undrain d-1' }).click();
    const confirm = dialogNamed('Undrain d-1?');
    await confirm.getByText('e2e: rolling deploy 2.4.1').waitFor();
    expect(await confirm.getByRole('button', { name: 'Undrain', exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached', timeout: 10_000 });
    await drainRowOf(page, 'd-1').waitFor({ state: 'detached', timeout: 5_000 });
    await rowOf(page, 'd-1').getByRole('button', { name: 'Drain d-1' }).waitFor();
    expect(await storedDrain('d-1')).toBeNull();
    expect(errors.slice(errorsFrom)).toEqual([]);
  });

  it('drains a zone in bulk, then the guard refuses the last passing instance until forced', async () => {
    for (const id of ['d-1', 'd-2', 'd-3']) await api(id, 'DELETE');
    const errorsFrom = errors.length;
    await page.goto(`${server.url}/services/${SERVICE}`);
    await rowOf(page, 'd-3').locator('.badge--passing').waitFor({ timeout: 15_000 });

    // Esc closes, focus returns to the opener.
    const bulkButton = page.getByRole('button', { name: 'Drain zone…' });
    await bulkButton.click();
    const bulk = dialogNamed(`Drain a zone of ${SERVICE}`);
    await bulk.waitFor();
    await page.keyboard.press('Escape');
    await bulk.waitFor({ state: 'detached' });
    expect(await bulkButton.evaluate((el) => el === document.activeElement)).toBe(true);

    await bulkButton.click();
    await bulk.getByLabel('Zone').selectOption('z2');
    await bulk.getByText('Will drain 1 instance: d-3').waitFor();
    await bulk.getByLabel('Zone').selectOption('z1');
    await bulk.getByText('Will drain 2 instances: d-1, d-2').waitFor();
    await bulk.getByText('Guard: 1 passing instance').waitFor();
    await bulk.getByLabel('Reason (required)').fill('e2e: zone z1 maintenance');
    await bulk.getByRole('radio', { name: 'Until lifted' }).check();
    await bulk.getByRole('button', { name: 'Drain 2 instances' }).click();
    // The same dialog now says what happened (and is named by it).
    const done = dialogNamed(`Drained 2 instances of ${SERVICE}`);
    await done.waitFor({ timeout: 10_000 });
    expect(await done.getByRole('listitem').allTextContents()).toEqual(['✓ d-1', '✓ d-2']);
    await done.getByRole('button', { name: 'Close' }).click();
    await done.waitFor({ state: 'detached' });
    for (const id of ['d-1', 'd-2']) {
      await drainRowOf(page, id).waitFor({ timeout: 5_000 });
      expect(await drainRowOf(page, id).textContent()).toContain('until lifted');
    }

    // What is left would empty the service of passing instances: the preview says so before anything is sent.
    await page.getByRole('button', { name: 'Drain version…' }).click();
    const byVersion = dialogNamed(`Drain a version of ${SERVICE}`);
    await byVersion.getByText('Will drain 1 instance: d-3').waitFor();
    expect(await byVersion.getByLabel('Version').inputValue()).toBe('1.1.0');
    await byVersion.getByText('Guard: no passing instance').waitFor();
    await byVersion.getByRole('button', { name: 'Close' }).click();
    await byVersion.waitFor({ state: 'detached' });

    // The last passing instance: warned, refused with the way past it, forced.
    await rowOf(page, 'd-3').getByRole('button', { name: 'Drain d-3' }).click();
    const dialog = dialogNamed('Drain d-3');
    await dialog.getByText('This is the last passing instance').waitFor();
    await dialog.getByLabel('Reason (required)').fill('e2e: whole service down');
    await dialog.getByRole('button', { name: 'Drain', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.getByText('This would leave no passing instance').waitFor({ timeout: 5_000 });
    expect(await storedDrain('d-3')).toBeNull();
    await alert.getByRole('button', { name: 'Drain anyway (force)' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await storedDrain('d-3')).toMatchObject({ reason: 'e2e: whole service down' });
    // Nobody reports calls to d-3: it says so, and explains on focus.
    const note = drainRowOf(page, 'd-3');
    await note.locator('.badge--drain', { hasText: 'Drained — no traffic data' }).waitFor({ timeout: 8_000 });
    await note.getByRole('button', { name: 'Why no traffic data?' }).focus();
    await note.getByRole('tooltip').waitFor({ state: 'visible' });

    for (const id of ['d-1', 'd-2', 'd-3']) expect((await api(id, 'DELETE')).status).toBe(200);
    expect(unexpected(errors.slice(errorsFrom))).toEqual([]);
  });

  it('shows who drained it first, a field the server refused, and a lost connection, inside the dialog', async () => {
    for (const id of ['d-1', 'd-2', 'd-3']) await api(id, 'DELETE');
    const errorsFrom = errors.length;
    // The route is in place before the page loads: routing switched on under a loaded page takes effect in
    // Chromium a moment after page.route resolves, and a drain sent in that moment reached the real server.
    let answer: 'refuse the reason' | 'no answer' | 'the server' = 'the server';
    const answers: string[] = [];
    await page.route('**/instances/d-2/drain', (route) => {
      answers.push(answer);
      if (answer === 'refuse the reason') {
        return route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error: { code: 'invalid', message: 'reason: too long for the server', field: 'reason' } }) });
      }
      return answer === 'no answer' ? route.abort('failed') : route.fallback();
    });
    try {
      await page.goto(`${server.url}/services/${SERVICE}`);
      // Live (hydrated, connected, synced): the dialog then keeps what is typed into it.
      await page.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 15_000 });
      const opener = rowOf(page, 'd-2').getByRole('button', { name: 'Drain d-2' });
      await opener.click();
      const dialog = dialogNamed('Drain d-2');
      const reason = dialog.getByLabel('Reason (required)');
      await reason.fill('e2e: mine');

      // The server names a field: that field is marked and focused.
      answer = 'refuse the reason';
      await page.keyboard.press('Enter');
      await dialog.getByText('too long for the server').waitFor();
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);

      // No answer at all.
      answer = 'no answer';
      await page.keyboard.press('Enter');
      await dialog.getByRole('alert').getByText('Could not reach Switchyard').waitFor();
      expect(answers).toEqual(['refuse the reason', 'no answer']);

      // Someone else drains it meanwhile: 409 with who, why and when.
      answer = 'the server';
      expect((await api('d-2', 'POST', { reason: 'e2e: theirs' })).status).toBe(200);
      await reason.focus();
      await page.keyboard.press('Enter');
      const alert = dialog.getByRole('alert');
      await alert.getByText('Already drained').waitFor();
      expect(await alert.textContent()).toMatch(/drained by token:someone-else at \d\d:\d\d:\d\d.*until lifted.*e2e: theirs/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await page.unroute('**/instances/d-2/drain');
    }
    expect(await storedDrain('d-2')).toMatchObject({ by: 'token:someone-else', reason: 'e2e: theirs' });
    await eventually(async () => ((await api('d-2', 'DELETE')).status === 200 ? true : undefined), 5_000, 'undrain d-2');
    expect(unexpected(errors.slice(errorsFrom))).toEqual([]);
  });

  it('offers a viewer no drain controls, and the server refuses a viewer’s drain', async () => {
    const viewer = await page.context().browser()?.newContext();
    if (!viewer) throw new Error('no browser');
    const viewerPage = await viewer.newPage();
    await useSession(viewerPage, server, await server.userSession('e2e-viewer', 'viewer'));
    await viewerPage.goto(`${server.url}/services/${SERVICE}`);
    for (const { id } of INSTANCES) await rowOf(viewerPage, id).waitFor({ timeout: 15_000 });
    expect(await viewerPage.locator('.user-menu__summary').getAttribute('aria-label')).toBe('Signed in as e2e-viewer, role viewer');
    expect(await viewerPage.getByRole('button', { name: /^(Drain|Undrain)\b/ }).count()).toBe(0);
    expect(await viewerPage.getByRole('button', { name: /^Drain (zone|version)/ }).count()).toBe(0);
    // The page's own fetch, with the viewer's cookie and our Origin: refused by role, nothing written.
    const status = await viewerPage.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"viewer"}' })).status, `/api/v1/services/${SERVICE}/instances/d-3/drain`);
    expect(status).toBe(403);
    expect(await storedDrain('d-3')).toBeNull();
    await viewer.close();
  });
});
