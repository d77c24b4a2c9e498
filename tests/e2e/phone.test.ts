import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPage } from '../support/browser';
import { ADMIN_PASSWORD, startServer, type TestServer } from '../support/server';
import { startBrowserStack, useSession, type BrowserStack } from '../support/stack';

/** Two dubbo-style names that share a long prefix, and go-zero-style ids that do too. */
const PREFIX = 'org.apache.dubbo.samples.greeter.api.';
const NAMES = [`${PREFIX}GreeterServiceAlpha`, `${PREFIX}GreeterServiceBravo`];
const IDS = ['7587874236439215621', '7587874236439215877'];
const LONG_ADDRESS = '[2001:db8:85a3:1111:2222:8a2e:370:7334]:50051';
const GATEWAY = 'e2e-gateway';
const ORDERS = 'e2e-orders';
const USERS = 'e2e-users';
/** A service mid-deploy: the canary and the old version, in two zones. */
const CANARY = 'e2e-canary';
const CANARY_INSTANCES = [
  { id: 'c-1', address: '127.0.0.1:9211', version: '1.9.0-canary', zone: 'eu-west-1a' },
  { id: 'c-2', address: '127.0.0.1:9212', version: '1.8.3', zone: 'eu-west-1b' },
];

const pageOverflow = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const nodeOf = (page: Page, name: string) => page.locator(`.react-flow__node[data-id="n:${name}"]`);
/** Every node of the map wholly inside the canvas. */
const allNodesInView = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const canvas = document.querySelector('.react-flow')?.getBoundingClientRect();
    const nodes = [...document.querySelectorAll('.react-flow__node')].map((node) => node.getBoundingClientRect());
    return canvas !== undefined && nodes.length > 0 && nodes.every((box) => box.left >= canvas.left && box.right <= canvas.right && box.top >= canvas.top && box.bottom <= canvas.bottom);
  });
const viewportTransform = (page: Page): Promise<string> => page.locator('.react-flow__viewport').evaluate((element) => (element as HTMLElement).style.transform);
/** Waits out `count` animation frames: what the map takes to act on a resize (a frame) and centre (two more). */
const frames = (page: Page, count: number): Promise<void> =>
  page.evaluate(
    (left) =>
      new Promise<void>((resolve) => {
        const step = (n: number): void => void (n === 0 ? resolve() : requestAnimationFrame(() => step(n - 1)));
        step(left);
      }),
    count,
  );

describe('a phone at 390×844, and windows narrower than a full table, in Chromium', () => {
  let stack: BrowserStack;
  let server: TestServer;
  let phone: Page;

  beforeAll(async () => {
    stack = await startBrowserStack({
      // Probed rarely: these addresses answer nothing, and a critical service would open the phone's map on it (topology.test.ts) instead of fitting it all.
      env: { SWITCHYARD_PROBE_INTERVAL_MS: '600000' },
      before: async (etcd) => {
        for (const name of NAMES) for (const id of IDS) await etcd.put(`/services/${name}/${id}`, JSON.stringify({ address: LONG_ADDRESS }));
        await etcd.put(`/services/${GATEWAY}/g-1`, JSON.stringify({ address: '127.0.0.1:9201', dependsOn: [ORDERS, USERS] }));
        await etcd.put(`/services/${ORDERS}/o-1`, JSON.stringify({ address: '127.0.0.1:9202' }));
        await etcd.put(`/services/${USERS}/u-1`, JSON.stringify({ address: '127.0.0.1:9203' }));
        for (const { id, ...registration } of CANARY_INSTANCES) await etcd.put(`/services/${CANARY}/${id}`, JSON.stringify(registration));
      },
    });
    server = stack.server;
    ({ page: phone } = await openPage(stack.browser, { width: 390, height: 844 }));
    await useSession(phone, server, await server.userSession('night-oncall', 'operator'));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lists services with their names visible and told apart, with nothing off the right edge', async () => {
    await phone.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
    await phone.getByRole('status', { name: 'Connection: Live' }).waitFor({ timeout: 10_000 });
    expect(await pageOverflow(phone)).toBe(0);
    for (const control of [phone.getByRole('status', { name: /^Connection:/ }), phone.locator('.user-menu__summary'), phone.getByRole('link', { name: 'Diagnostics' })]) {
      const box = await control.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    }
    const shown: string[] = [];
    for (const name of NAMES) {
      // The full name is the label's title; what shows is its start, an ellipsis and its end.
      const label = phone.getByRole('link').getByTitle(name, { exact: true });
      const box = await label.boundingBox();
      expect(box && box.width >= 100 && box.x + box.width <= 390).toBe(true);
      shown.push((await label.locator('.mid-ellipsis__tail').innerText()).trim());
    }
    // The visible ends differ, though the names share 45 characters.
    expect(shown[0]).not.toBe(shown[1]);
    expect(NAMES[0]?.endsWith(shown[0] ?? '?')).toBe(true);
  });

  it('shows a service page with ids told apart and whole addresses with copy buttons', async () => {
    await phone.goto(`${server.url}/services/${encodeURIComponent(NAMES[0] ?? '')}`, { waitUntil: 'networkidle' });
    await phone.getByRole('heading', { level: 1 }).waitFor();
    expect(await pageOverflow(phone)).toBe(0);
    const tails = await phone.locator('.table--instances .mid-ellipsis__tail').allInnerTexts();
    expect(new Set(tails).size).toBe(IDS.length);
    const addresses = phone.locator('.table--instances .copyable__text');
    expect(await addresses.count()).toBe(IDS.length);
    for (const address of await addresses.all()) {
      expect(await address.innerText()).toBe(LONG_ADDRESS);
      // Wrapped, not clipped: the whole text fits its box.
      expect(await address.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    }
    expect(await phone.getByRole('button', { name: `Copy address of ${IDS[0]}` }).count()).toBe(1);
  });

  it('shows each instance\'s version and zone at every width, a window narrower than a full table included, the ids not crowded out', async () => {
    // A drained instance's line spans the table: it once made empty columns that took the ids' room (1280 px).
    const drained = await server.fetch(`/api/v1/services/${CANARY}/instances/c-2/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'e2e: canary under way' }),
    });
    expect(drained.status).toBe(200);
    for (const width of [1440, 1360, 1280, 1000, 800, 641, 390]) {
      const { page } = await stack.freshPage({ width, height: 900 });
      try {
        await page.goto(`${server.url}/services/${CANARY}`, { waitUntil: 'networkidle' });
        const table = page.locator('.table--instances');
        await table.locator('.drain-row').waitFor();
        // Nothing of the table past its own edge (1000 px once overflowed it by 130 px), nor of the
        // page (the header ran 98 px off it at 1000 px, 64 at 800).
        expect(await table.evaluate((element) => element.scrollWidth - element.clientWidth), `${width} px`).toBeLessThanOrEqual(0);
        expect(await pageOverflow(page), `${width} px`).toBe(0);
        const tableBox = await table.boundingBox();
        for (const instance of CANARY_INSTANCES) {
          for (const [column, text] of [
            ['id', instance.id],
            ['version', instance.version],
            ['zone', instance.zone],
          ] as const) {
            const cell = table.locator(`td[data-column="${column}"]`, { hasText: text });
            const box = await cell.boundingBox();
            const what = `${column} ${text} at ${width} px`;
            expect(box, what).not.toBeNull();
            expect(box && tableBox && box.x >= tableBox.x && box.x + box.width <= tableBox.x + tableBox.width + 1, what).toBe(true);
            // Whole: its text is not cut.
            expect(await cell.evaluate((element) => element.scrollWidth <= element.clientWidth), what).toBe(true);
            if (column === 'id' && width > 640) expect(box?.width ?? 0, what).toBeGreaterThanOrEqual(100);
          }
        }
      } finally {
        await page.context().close();
      }
    }
  });

  it('lays the map toolbar out in one row from 1280 px, and leaves room to type in its search at every width', async () => {
    for (const width of [1440, 1280, 1200, 1100, 1024, 900, 800, 641]) {
      const { page } = await stack.freshPage({ width, height: 900 });
      try {
        await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
        const toolbar = page.locator('.topology-toolbar');
        await toolbar.waitFor();
        const { wrapped, typing } = await toolbar.evaluate((element) => {
          const boxes = [...element.children].filter((child) => child instanceof HTMLElement && child.offsetWidth > 0).map((child) => child.getBoundingClientRect());
          const firstRowBottom = Math.min(...boxes.map((box) => box.bottom));
          const input = element.querySelector('.search__input');
          const style = input ? getComputedStyle(input) : null;
          return {
            wrapped: boxes.filter((box) => box.top >= firstRowBottom).length,
            // What is left for the query between the icon and the match count's place.
            typing: input && style ? input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) : 0,
          };
        });
        if (width >= 1280) expect.soft(wrapped, `controls on a second row at ${width} px`).toBe(0);
        expect.soft(typing, `search text room at ${width} px`).toBeGreaterThanOrEqual(72);
      } finally {
        await page.context().close();
      }
    }
  });

  it('fits the map to the screen', async () => {
    await phone.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    await nodeOf(phone, ORDERS).waitFor({ timeout: 10_000 });
    expect(await pageOverflow(phone)).toBe(0);
    const canvas = await phone.locator('.react-flow').boundingBox();
    expect(canvas && canvas.x >= 0 && canvas.x + canvas.width <= 390 && canvas.y + canvas.height <= 844).toBe(true);
    for (const name of [GATEWAY, ORDERS, USERS]) {
      const box = await nodeOf(phone, name).boundingBox();
      expect(box && canvas && box.x >= canvas.x && box.x + box.width <= canvas.x + canvas.width).toBe(true);
    }
  });

  it('fits the map again when the window narrows without a reload, until the view is moved by hand', async () => {
    const { page } = await stack.freshPage({ width: 1280, height: 900 });
    try {
      await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
      await page.locator('.topology[data-ready="true"]').waitFor({ timeout: 10_000 });
      expect(await allNodesInView(page)).toBe(true);
      // Fitted at 1280 px, the map sat past a phone's right edge once narrowed.
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => allNodesInView(page), { timeout: 5_000 }).toBe(true);

      const canvas = await page.locator('.react-flow').boundingBox();
      if (!canvas) throw new Error('no canvas');
      const fitted = await viewportTransform(page);
      await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
      await page.mouse.wheel(0, -400);
      await expect.poll(() => viewportTransform(page)).not.toBe(fitted);
      const byHand = await viewportTransform(page);
      await page.setViewportSize({ width: 800, height: 844 });
      await expect.poll(async () => (await page.locator('.react-flow').boundingBox())?.width ?? 0).toBeGreaterThan(canvas.width);
      await frames(page, 4);
      expect(await viewportTransform(page)).toBe(byHand);
    } finally {
      await page.context().close();
    }
  });

  it('shows the Access page\'s users and tokens whole at 390 px, nothing scrolled out of sight sideways', async () => {
    const created = await server.fetch('/api/v1/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'deploy-pipeline-eu-west-1', role: 'operator', service: CANARY, expiresInDays: 30 }),
    });
    expect(created.status).toBe(201);
    const { page } = await stack.freshPage({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/access`, { waitUntil: 'networkidle' });
      const tables = page.locator('.access .table');
      await expect.poll(() => tables.count()).toBe(2);
      expect(await pageOverflow(page)).toBe(0);
      for (const table of await tables.all()) {
        // The tables once scrolled inside their own box, their last columns and buttons out of sight with no hint.
        expect(await table.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(0);
        for (const button of await table.getByRole('button').all()) {
          const box = await button.boundingBox();
          expect(box && box.x >= 0 && box.x + box.width <= 390, await button.innerText()).toBe(true);
        }
      }
      // What each figure is stays said, the header row hidden: "last used never".
      const token = tables.nth(1).getByRole('row').filter({ hasText: 'deploy-pipeline-eu-west-1' });
      expect(await token.innerText()).toMatch(/last used\s+never/);
      expect(await token.getByRole('button', { name: 'Revoke' }).isVisible()).toBe(true);
    } finally {
      await page.context().close();
    }
  });

  it("shows an empty fleet's example registration whole at 390 px, on the map and the services list, under the prefix the server watches", async () => {
    // Its own server, on prefixes nothing is registered under: what a first start shows.
    const empty = await startServer({ etcdEndpoints: stack.etcd.endpoints, env: { SWITCHYARD_PREFIXES: '/e2e-nothing/', SWITCHYARD_CONTROL_PREFIX: '/e2e-nothing-control/' } });
    const { page } = await stack.freshPage({ width: 390, height: 844 });
    try {
      await useSession(page, empty, await empty.login('admin', ADMIN_PASSWORD));
      for (const path of ['/', '/services']) {
        await page.goto(`${empty.url}${path}`, { waitUntil: 'networkidle' });
        const example = page.locator('.empty-state .code');
        await example.waitFor();
        expect(await pageOverflow(page), path).toBe(0);
        // Whole: scrolled inside its box, it showed `…'{"address":"` and hid the rest with no hint.
        expect(await example.evaluate((element) => element.scrollWidth - element.clientWidth), path).toBeLessThanOrEqual(0);
        const box = await example.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 390, path).toBe(true);
        // Copied, it registers what this console watches: under /services/ it registered nothing it sees; in the etcd it reads.
        expect((await example.innerText()).split(" '")[0], path).toBe(`etcdctl --endpoints=${stack.etcd.endpoints.join(',')} put /e2e-nothing/users/u-1`);
      }
    } finally {
      await page.context().close();
      await empty.stop();
    }
  });

  it("names each recent failure's instance whole at every width, ids that share a prefix told apart, and wraps its reason on a phone", async () => {
    // Two instances whose leases end (not kept alive): their departures are the service's recent failures.
    const departed = 'e2e-departed';
    for (const id of IDS) await stack.etcd.put(`/services/${departed}/${id}`, JSON.stringify({ address: '127.0.0.1:9221' }), 2);
    /** Each failure's instance whole (not cut nor scrolled), inside the window, and nothing of the page off its right edge. */
    const expectWholeIds = async (page: Page, width: number): Promise<void> => {
      const instances = page.locator('.recent-failures__item > :nth-child(3)');
      await expect.poll(() => instances.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(IDS.length);
      // At 761 px the wide line's fixed tracks ran 34 px past the page.
      expect(await pageOverflow(page), `page at ${width} px`).toBe(0);
      for (const instance of await instances.all()) {
        // Whole: the three-column line left it 98 px at 390, "75878742…" for both; the wide line 80 px at 800, 118 at 1024.
        const cut = await instance.evaluate((element) => Math.max(element.scrollWidth - element.clientWidth, element.scrollHeight - element.clientHeight));
        expect(cut, `${await instance.innerText()} at ${width} px`).toBeLessThanOrEqual(0);
        const box = await instance.boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= width, `inside the window at ${width} px`).toBe(true);
      }
      expect(new Set(await instances.allInnerTexts())).toEqual(new Set(IDS));
    };
    await phone.goto(`${server.url}/services/${departed}`, { waitUntil: 'networkidle' });
    await expectWholeIds(phone, 390);
    // A phone has no hover to show a cut reason's title: it wraps, whole.
    for (const reason of await phone.locator('.recent-failures__detail').all()) {
      expect(await reason.evaluate((element) => getComputedStyle(element).whiteSpace)).toBe('normal');
      expect(await reason.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(0);
    }
    for (const width of [761, 800, 1024, 1100, 1440]) {
      const { page } = await stack.freshPage({ width, height: 900 });
      try {
        await page.goto(`${server.url}/services/${departed}`, { waitUntil: 'networkidle' });
        await expectWholeIds(page, width);
      } finally {
        await page.context().close();
      }
    }
  });

  it('draws every empty cell of the instance table and the services list with one dash, an em dash in the text\'s own font, at 1440 px', async () => {
    const { page } = await stack.freshPage({ width: 1440, height: 900 });
    try {
      /** The width of every text that is a lone dash (en or em) in `selector`, with the dash. */
      const dashes = (selector: string) =>
        page.locator(selector).evaluate((root) => {
          const found: { dash: string; width: number }[] = [];
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent?.trim() ?? '';
            if (text !== '—' && text !== '–') continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            found.push({ dash: text, width: range.getBoundingClientRect().width });
          }
          return found;
        });
      // No version, zone nor lease TTL: three empty cells in each row. The version's dash was in the monospace font, "–" beside "—".
      await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
      await page.locator('.table--services tbody tr').first().waitFor();
      const inServices = await dashes('.table--services');
      await page.goto(`${server.url}/services/${encodeURIComponent(NAMES[0] ?? '')}`, { waitUntil: 'networkidle' });
      await page.locator('.table--instances tbody tr').first().waitFor();
      const inInstances = await dashes('.table--instances');
      for (const [where, found] of [['instances', inInstances], ['services', inServices]] as const) {
        expect(found.length, where).toBeGreaterThanOrEqual(2);
        expect(new Set(found.map(({ dash }) => dash)), where).toEqual(new Set(['—']));
        const widths = found.map(({ width }) => width);
        // The TTL column's smaller type draws it 12 px beside 13; the monospace one was 7.
        expect(Math.max(...widths) / Math.min(...widths), `${where}: ${widths.join(', ')}`).toBeLessThan(1.15);
      }
    } finally {
      await page.context().close();
    }
  });

  it("gives each history row's service and cause a second line at 390 px, the rows not overlapping", async () => {
    // Rows of their own (seen as they happened, never folded) beside the start's folded lines.
    const key = `/services/${ORDERS}/o-2`;
    await stack.etcd.put(key, JSON.stringify({ address: '127.0.0.1:9204' }));
    await stack.etcd.delete(key);
    await phone.goto(`${server.url}/history`, { waitUntil: 'networkidle' });
    await phone.getByRole('article', { name: `Deregistered: ${ORDERS} / o-2`, exact: true }).waitFor({ timeout: 10_000 });
    const rows = phone.locator('.timeline-row');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    expect(await pageOverflow(phone)).toBe(0);
    const measured = await rows.evaluateAll((elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        const line = element.querySelector('.timeline-row__line')?.getBoundingClientRect();
        const service = element.querySelector('.timeline-row__service')?.getBoundingClientRect();
        const detail = element.querySelector('.timeline-row__detail')?.getBoundingClientRect();
        return {
          top: box.top,
          bottom: box.bottom,
          folded: element.classList.contains('timeline-row--group'),
          line: line?.width ?? 0,
          serviceTop: service?.top ?? 0,
          service: service?.width ?? 0,
          detailTop: detail?.top ?? 0,
          detail: detail?.width ?? 0,
          text: element.querySelector('.timeline-row__service')?.textContent ?? '',
        };
      }),
    );
    // Beside time and kind the service had ~80 px ("e2e-gat…", "500 inst…"): a folded line gives it the
    // row's width less the toggle and padding; an event's line gives it the time's width or more, and
    // its cause the rest of that line ("→ critical" alone said nothing until opened).
    for (const row of measured.filter(({ folded }) => folded)) expect(row.service, row.text).toBeGreaterThanOrEqual(row.line - 50);
    const events = measured.filter(({ folded }) => !folded);
    expect(events.length).toBeGreaterThan(0);
    for (const row of events) {
      expect(row.service, row.text).toBeGreaterThanOrEqual(110);
      expect(row.detailTop, row.text).toBe(row.serviceTop);
      expect(row.detail, row.text).toBeGreaterThanOrEqual(60);
    }
    // Names of this fixture's length (e2e-departed, e2e-canary) whole; the 57-character dubbo ones cannot be at 390 px.
    const cut = await phone.locator('.timeline-row__service a').evaluateAll((links, long) => links.filter((link) => !long.includes(link.textContent ?? '') && link.scrollWidth > link.clientWidth).map((link) => link.textContent), NAMES);
    expect(cut).toEqual([]);
    expect(await phone.locator('.timeline-row__service a').count()).toBeGreaterThan(0);
    // Placed by the virtual list at their fixed height: each row ends where the next begins.
    const byTop = [...measured].sort((a, b) => a.top - b.top);
    for (const [index, row] of byTop.entries()) {
      const next = byTop[index + 1];
      if (next) expect(row.bottom).toBeLessThanOrEqual(next.top + 0.5);
    }
  });

  it("shows which instance each history row is about at 390 px, in the room its kind leaves on the first line, ids alike but for their middle told apart", async () => {
    // Two instances of one service, each registered and gone: four rows that, without their instance, read alike. Two
    // more are addresses on one port, told apart only 10 characters from their end: a fixed 6-character tail drew
    // both '10.0.…:20880'.
    const ids = ['o-3', 'o-4', '10.0.1.12:20880', '10.0.2.12:20880'];
    for (const id of ids) {
      const key = `/services/${ORDERS}/${id}`;
      await stack.etcd.put(key, JSON.stringify({ address: '127.0.0.1:9205' }));
      await stack.etcd.delete(key);
    }
    await phone.goto(`${server.url}/history`, { waitUntil: 'networkidle' });
    for (const id of ids) await phone.getByRole('article', { name: `Deregistered: ${ORDERS} / ${id}`, exact: true }).waitFor({ timeout: 10_000 });
    const shown = await phone.locator('.timeline-row:not(.timeline-row--group)').evaluateAll(
      (elements, { service, ids }) =>
        elements
          .filter((element) => ids.some((id) => (element.getAttribute('aria-label') ?? '').endsWith(`${service} / ${id}`)))
          .map((element) => {
            const row = element.getBoundingClientRect();
            const box = (selector: string) => element.querySelector(selector)?.getBoundingClientRect();
            const instance = element.querySelector<HTMLElement>('.timeline-row__instance');
            const tail = instance?.querySelector<HTMLElement>('.mid-ellipsis__tail');
            const own = instance?.getBoundingClientRect();
            const overlaps = ['.event-time', '.kind-label', '.timeline-row__service', '.timeline-row__detail'].filter((selector) => {
              const other = box(selector);
              return own && other && other.width > 0 && own.left < other.right - 0.5 && other.left < own.right - 0.5 && own.top < other.bottom - 0.5 && other.top < own.bottom - 0.5;
            });
            const label = element.getAttribute('aria-label') ?? '';
            return {
              id: ids.find((id) => label.endsWith(` / ${id}`)) ?? '',
              // The end kept whole (a screen reader's whole copy beside it left out), and whether the id is drawn whole.
              tail: tail?.textContent ?? '',
              tailWhole: tail !== null && tail !== undefined && tail.scrollWidth <= tail.clientWidth,
              whole: instance !== null && instance !== undefined && instance.scrollWidth <= instance.clientWidth,
              inside: own !== undefined && own.width > 0 && own.left >= row.left && own.right <= row.right + 0.5 && own.top >= row.top && own.bottom <= row.bottom + 0.5,
              overlaps,
            };
          }),
      { service: ORDERS, ids },
    );
    expect(shown.length).toBeGreaterThanOrEqual(2 * ids.length);
    for (const row of shown) {
      expect(row.tailWhole && row.inside && row.overlaps.length === 0, JSON.stringify(row)).toBe(true);
      expect(row.id.endsWith(row.tail), JSON.stringify(row)).toBe(true);
    }
    // Each id's kept end is its own: one drawn end per id.
    const tailsById = new Map(shown.map((row) => [row.id, row.tail]));
    expect(new Set(tailsById.values()).size, JSON.stringify([...tailsById])).toBe(ids.length);
    // The short ids are drawn whole.
    for (const row of shown.filter((row) => row.id.startsWith('o-'))) expect(row, row.id).toMatchObject({ tail: row.id, whole: true });
    expect(await pageOverflow(phone)).toBe(0);
  });

  it("names a folded history line's service beside its count of instances at 390 px, as ordinary rows name theirs", async () => {
    // A tall phone: the folded lines are the oldest rows, below the newer events other tests make, and the list
    // draws only the rows near the window. The width is what this checks.
    await phone.setViewportSize({ width: 390, height: 2400 });
    await phone.goto(`${server.url}/history`, { waitUntil: 'networkidle' });
    // The fleet found at start, and its first passes: folded lines.
    const groups = phone.locator('.timeline-row--group');
    await expect.poll(() => groups.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const shown = await groups.evaluateAll((elements) =>
      elements.map((element) => {
        const row = element.getBoundingClientRect();
        const part = (selector: string) => {
          const box = element.querySelector(selector)?.getBoundingClientRect();
          return box === undefined || box.width === 0 ? null : { text: element.querySelector(selector)?.textContent ?? '', inside: box.left >= row.left && box.right <= row.right + 0.5 };
        };
        return { label: element.getAttribute('aria-label') ?? '', services: part('.timeline-group__services'), instances: part('.timeline-group__instances') };
      }),
    );
    // "500 instances" alone said nothing of whose; the service (or "3 services") was hidden below 761 px.
    for (const group of shown) {
      expect(group.services, group.label).toEqual({ text: expect.stringMatching(/\S/) as unknown, inside: true });
      expect(group.instances, group.label).toEqual({ text: expect.stringMatching(/instance/) as unknown, inside: true });
    }
    expect(await pageOverflow(phone)).toBe(0);
    await phone.setViewportSize({ width: 390, height: 844 });
  });

  it("opens a crowded service's panel on the map with the page still the window's height, the panel scrolling inside itself", async () => {
    // Twelve instances with drain buttons: more than the panel shows at once.
    const crowd = 'e2e-crowd';
    const keys = Array.from({ length: 12 }, (_, i) => `/services/${crowd}/k-${i + 1}`);
    for (const [i, key] of keys.entries()) await stack.etcd.put(key, JSON.stringify({ address: `127.0.0.1:${9300 + i}` }));
    try {
      for (const width of [1440, 390]) {
        const { page } = await stack.freshPage({ width, height: width === 390 ? 844 : 900 });
        try {
          await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
          await nodeOf(page, crowd).click();
          const panel = page.locator('.tpanel');
          await expect.poll(() => panel.locator('.tpanel__instances tbody tr').count()).toBe(keys.length);
          expect(await panel.evaluate((element) => element.scrollHeight > element.clientHeight), `panel scrolls at ${width} px`).toBe(true);
          // The drain buttons' screen-reader text, placed against an ancestor, escaped the panel's scroll:
          // the page scrolled on past the map into nothing (280 px at 1440 px, 700 at 390 with ten instances).
          expect(await page.evaluate(() => document.documentElement.scrollHeight - document.documentElement.clientHeight), `${width} px`).toBe(0);
        } finally {
          await page.context().close();
        }
      }
    } finally {
      for (const key of keys) await stack.etcd.delete(key);
    }
  });

  it('lines the Diagnostics figures up in columns of one width at every width', async () => {
    for (const width of [1440, 1280, 800, 390]) {
      const { page } = await stack.freshPage({ width, height: 900 });
      try {
        await page.goto(`${server.url}/diagnostics`, { waitUntil: 'networkidle' });
        const tiles = page.locator('.tiles .tile');
        await tiles.first().waitFor();
        const widths = await tiles.evaluateAll((elements) => elements.map((element) => Math.round(element.getBoundingClientRect().width)));
        // Each tile as wide as its label made it: at 390 px rows of 2, 2, 1 and 2 tiles, ragged on the right.
        expect.soft(new Set(widths).size, `tile widths at ${width} px: ${widths.join(', ')}`).toBe(1);
        expect(await pageOverflow(page), `${width} px`).toBe(0);
      } finally {
        await page.context().close();
      }
    }
  });

  it('keeps a view panned on the minimap when the window changes size, as a view moved by hand', async () => {
    // Centred on a node at 80 %, the whole map is not in view: the minimap shows.
    const { page } = await stack.freshPage({ width: 800, height: 900 });
    try {
      await page.goto(`${server.url}/?node=${GATEWAY}`, { waitUntil: 'networkidle' });
      await page.locator('.topology[data-ready="true"]').waitFor({ timeout: 10_000 });
      const minimap = page.locator('.react-flow__minimap');
      await minimap.waitFor({ timeout: 5_000 });
      await frames(page, 4);
      const centred = await viewportTransform(page);
      // The minimap moves the view through React Flow's zoom with no event of its own, as the code's moves do.
      const box = await minimap.boundingBox();
      if (!box) throw new Error('no minimap');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 15, { steps: 5 });
      await page.mouse.up();
      await expect.poll(() => viewportTransform(page)).not.toBe(centred);
      const byHand = await viewportTransform(page);
      const canvas = await page.locator('.react-flow').boundingBox();
      if (!canvas) throw new Error('no canvas');
      await page.setViewportSize({ width: 1000, height: 900 });
      await expect.poll(async () => (await page.locator('.react-flow').boundingBox())?.width ?? 0).not.toBe(canvas.width);
      await frames(page, 4);
      expect(await viewportTransform(page)).toBe(byHand);
    } finally {
      await page.context().close();
    }
  });

  it('steps Back and Forward through map selection and focus instead of leaving the app', async () => {
    const page = stack.page;
    await page.goto(`${server.url}/services`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Map', exact: true }).click();
    await nodeOf(page, ORDERS).waitFor({ timeout: 10_000 });
    const panelHeading = (name: string) => page.getByRole('complementary').getByRole('heading', { name, exact: true });
    const param = (name: string) => new URL(page.url()).searchParams.get(name);

    await nodeOf(page, ORDERS).click();
    await panelHeading(ORDERS).waitFor();
    await nodeOf(page, USERS).click();
    await panelHeading(USERS).waitFor();
    await page.getByRole('complementary').getByRole('button', { name: /^Focus/ }).first().click();
    await expect.poll(() => param('focus')).toBe(USERS);

    await page.goBack();
    await expect.poll(() => param('focus')).toBeNull();
    await panelHeading(USERS).waitFor();
    await page.goBack();
    await expect.poll(() => param('node')).toBe(ORDERS);
    await panelHeading(ORDERS).waitFor();
    await page.goBack();
    await expect.poll(() => param('node')).toBeNull();
    await page.getByRole('complementary').waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe('/');

    await page.goForward();
    await panelHeading(ORDERS).waitFor();
    expect(param('node')).toBe(ORDERS);
    await page.goBack();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/services');
  });

  it("keeps the figure of an instance's status cause at every table width from 641 px, one line or two: 'error rate 100 %…', not 'error rate 1…'", async () => {
    // Every call to c-1 failing, reported each second while the widths are looked at: what an outage's
    // instances read. Last of the file: those calls stay on the map for their minute, and a failing
    // service centres a phone's map, which the tests above fit whole.
    const report = (): Promise<Response> =>
      server.fetch('/api/v1/ingest/calls', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          reporter: { service: GATEWAY, instance: 'g-1' },
          intervalStart: new Date(Date.now() - 1_000).toISOString(),
          intervalSeconds: 1,
          calls: [{ to: CANARY, toInstance: 'c-1', count: 20, errors: 20, latencyMs: { bounds: [10], counts: [20, 0] } }],
        }),
      });
    expect((await report()).ok).toBe(true);
    const failing = setInterval(() => void report().catch(() => undefined), 1_000);
    try {
      // One line from 1280 px; two lines per instance below it, in three ranges of widths (641–799, 800–999, 1000–1279 px).
      for (const width of [1920, 1599, 1440, 1360, 1280, 1279, 1024, 999, 800, 641]) {
        const { page } = await stack.freshPage({ width, height: 900 });
        try {
          await page.goto(`${server.url}/services/${CANARY}`, { waitUntil: 'networkidle' });
          const cause = page.locator('.table--instances td[data-column="status"] .status-cell__cause', { hasText: 'error rate 100 %' });
          await cause.waitFor({ timeout: 20_000 });
          // How far the figure's end lies past where the ellipsis begins (≤ 0: it shows whole).
          const cutBy = await cause.evaluate((element) => {
            if (element.scrollWidth <= element.clientWidth) return 0;
            const text = element.firstChild;
            const context = document.createElement('canvas').getContext('2d');
            if (!text || !context) return Infinity;
            // Chromium computes no `font` shorthand here: the longhands make it.
            const style = getComputedStyle(element);
            context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const figure = document.createRange();
            figure.setStart(text, 0);
            figure.setEnd(text, (element.textContent ?? '').indexOf('%') + 1);
            return figure.getBoundingClientRect().right - (element.getBoundingClientRect().right - context.measureText('…').width);
          });
          expect.soft(cutBy, `${width} px`).toBeLessThanOrEqual(0);
        } finally {
          await page.context().close();
        }
      }
    } finally {
      clearInterval(failing);
    }
  });
});
