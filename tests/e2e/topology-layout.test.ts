import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { IngestBatch } from '@/lib/model/ingest';
import { eventually } from '../support/server';
import { startBrowserStack, type BrowserStack } from '../support/stack';

/**
 * The map's layout as the fleet's calls become known: a page starts from the server's current
 * layout unless the reader arranged the map; calls seen after the layout that are drawn right to
 * left bring a new whole layout on a map nobody arranged (at once, or a minute after the last whole
 * layout the page showed), and are counted on "Re-layout" on one arranged by hand.
 */

/** Four chains: gateway → orders → payments, mailer → ledger (for the arranged map), web → search, queue → worker (for the other). */
const FLEET: Record<string, string[]> = {
  'l-gateway': ['l-orders'],
  'l-orders': ['l-payments'],
  'l-payments': [],
  'l-mailer': ['l-ledger'],
  'l-ledger': [],
  'l-web': ['l-search'],
  'l-search': [],
  'l-queue': ['l-worker'],
  'l-worker': [],
};
const POSITIONS_KEY = 'switchyard.topology.positions.v1.none';
const ARRANGED_KEY = 'switchyard.topology.arranged.v1.none';

const nodeOf = (page: Page, name: string): Locator => page.locator(`.react-flow__node[data-id="n:${name}"]`);
const xOf = async (page: Page, name: string): Promise<number> => {
  const box = await nodeOf(page, name).boundingBox();
  if (!box) throw new Error(`${name} is not drawn`);
  return box.x;
};
const ready = (page: Page): Promise<void> => page.locator('.topology[data-ready="true"]').waitFor({ timeout: 20_000 });

describe('the map\u2019s layout as calls become known (Chromium)', () => {
  let stack: BrowserStack;

  const postCalls = async (from: string, to: string): Promise<void> => {
    const batch: IngestBatch = {
      reporter: { service: from, instance: `${from}-1` },
      intervalStart: new Date(Date.now() - 1_000).toISOString(),
      intervalSeconds: 1,
      calls: [{ to, count: 10, errors: 0, latencyMs: { bounds: [5, 10], counts: [8, 2, 0] } }],
    };
    const response = await stack.server.fetch('/api/v1/ingest/calls', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(response.status).toBeLessThan(300);
  };

  beforeAll(async () => {
    stack = await startBrowserStack({
      before: async (etcd) => {
        for (const [name, dependsOn] of Object.entries(FLEET)) await etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: '127.0.0.1:9', dependsOn }));
      },
    });
    await eventually(async () => {
      const body = (await (await stack.server.fetch('/api/v1/topology')).json()) as { nodes: unknown[] };
      return body.nodes.length === Object.keys(FLEET).length ? true : undefined;
    }, 20_000, 'the fleet to be registered');
    // The server lays the map out once the first call statistics are in.
    await postCalls('l-gateway', 'l-orders');
    await eventually(() => (stack.server.output().includes('topology layout: placed') ? true : undefined), 20_000, 'the server\u2019s layout of the map');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts a page from the server\u2019s layout unless the map was arranged by hand', async () => {
    const { page, errors } = await stack.freshPage();
    // Positions stored from an older graph: gateway (the caller) far right of orders.
    const older = [
      ['n:l-orders', 0, 0],
      ['n:l-payments', 0, 300],
      ['n:l-mailer', 0, 600],
      ['n:l-ledger', 0, 900],
      ['n:l-gateway', 3000, 0],
    ];
    const reloadWith = async (arranged: boolean): Promise<void> => {
      await page.evaluate(
        ({ positions, arranged, positionsKey, arrangedKey }) => {
          localStorage.setItem(positionsKey, JSON.stringify(positions));
          if (arranged) localStorage.setItem(arrangedKey, '1');
          else localStorage.removeItem(arrangedKey);
        },
        { positions: older, arranged, positionsKey: POSITIONS_KEY, arrangedKey: ARRANGED_KEY },
      );
      await page.reload();
      await ready(page);
    };
    await page.goto(stack.server.url);
    await ready(page);

    // Never dragged: the server's layout of the graph as it is now (callers left of callees) replaces them.
    await reloadWith(false);
    expect(await xOf(page, 'l-gateway')).toBeLessThan(await xOf(page, 'l-orders'));
    expect(await page.evaluate((key) => localStorage.getItem(key), POSITIONS_KEY)).not.toBe(JSON.stringify(older));

    // Arranged by hand: the reader's positions stay.
    await reloadWith(true);
    expect(await xOf(page, 'l-gateway')).toBeGreaterThan(await xOf(page, 'l-orders'));

    // A drag is what makes them the reader's.
    await reloadWith(false);
    // Where the node has come to rest: the map may still be fitting itself to the screen, and a press
    // that misses the moving node pans the map instead of dragging it.
    let last = '';
    const box = await eventually(async () => {
      const now = await nodeOf(page, 'l-ledger').boundingBox();
      const seen = JSON.stringify(now);
      const steady = now !== null && seen === last;
      last = seen;
      return steady ? now : undefined;
    }, 5_000, 'l-ledger at rest');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await eventually(async () => ((await page.evaluate((key) => localStorage.getItem(key), ARRANGED_KEY)) === '1' ? true : undefined), 5_000, 'the map to count as arranged');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lays a map nobody arranged out again by itself when a call seen after its layout is drawn right to left, fitted again', async () => {
    // Narrow enough that the new layout, a column wider, would run past the edge of the old fit.
    const width = 800;
    const { page, errors } = await stack.freshPage({ width });
    await page.goto(stack.server.url);
    await ready(page);
    // The precondition: queue (a chain's head) drawn left of search (another chain's tail).
    expect(await xOf(page, 'l-queue')).toBeLessThan(await xOf(page, 'l-search'));

    await postCalls('l-search', 'l-queue');
    // Attached, not visible: straightened at once, a level edge has no height.
    await page.locator('.react-flow__edge[data-id="n:l-search→n:l-queue"]').waitFor({ state: 'attached', timeout: 15_000 });
    await eventually(async () => ((await xOf(page, 'l-queue')) > (await xOf(page, 'l-search')) ? true : undefined), 20_000, 'search drawn left of queue');
    await expect(page.getByRole('button', { name: /^Re-layout/ }).locator('.button__badge').count()).resolves.toBe(0);
    expect(await page.evaluate((key) => localStorage.getItem(key), ARRANGED_KEY)).toBeNull();
    // The view was fitted by the code and never moved by hand: it is fitted to the new layout too.
    await eventually(async () => {
      for (const name of Object.keys(FLEET)) {
        const box = await nodeOf(page, name).boundingBox();
        if (!box || box.x < 0 || box.x + box.width > width) return undefined;
      }
      return true;
    }, 5_000, 'every node in view');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('counts a call seen after the layout that is drawn right to left on Re-layout when the map was arranged by hand, which straightens it', async () => {
    const { page, errors } = await stack.freshPage();
    await page.goto(stack.server.url);
    await ready(page);
    // Arranged by hand (as a drag marks it, tested above): the positions are the reader's, kept until Re-layout.
    await page.evaluate((key) => localStorage.setItem(key, '1'), ARRANGED_KEY);
    await page.reload();
    await ready(page);
    const relayout = page.getByRole('button', { name: /^Re-layout/ });
    await expect(relayout.locator('.button__badge').count()).resolves.toBe(0);
    // The precondition: mailer (a chain's head) drawn left of payments (another chain's tail).
    expect(await xOf(page, 'l-mailer')).toBeLessThan(await xOf(page, 'l-payments'));

    await postCalls('l-payments', 'l-mailer');
    await page.locator('.react-flow__edge[data-id="n:l-payments→n:l-mailer"]').waitFor({ timeout: 15_000 });
    await expect(relayout.locator('.button__badge').textContent({ timeout: 10_000 })).resolves.toBe('1');
    expect(await relayout.getAttribute('title')).toContain('1 call seen since the map was laid out is drawn right to left');

    await relayout.click();
    await relayout.locator('.button__badge').waitFor({ state: 'detached', timeout: 20_000 });
    await eventually(async () => ((await xOf(page, 'l-mailer')) > (await xOf(page, 'l-payments')) ? true : undefined), 20_000, 'payments drawn left of mailer');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps the layout of a map whose view was moved by hand, counting a call seen since that is drawn right to left on Re-layout', async () => {
    const { page, errors } = await stack.freshPage();
    await page.goto(stack.server.url);
    await ready(page);
    const relayout = page.getByRole('button', { name: /^Re-layout/ });
    // At rest: the calls the tests above posted may have brought a new whole layout as the page opened.
    let last = '';
    const [left, right] = await eventually(async () => {
      const xs = [await xOf(page, 'l-web'), await xOf(page, 'l-ledger')] as const;
      const seen = JSON.stringify(xs);
      const steady = seen === last && (await relayout.locator('.button__badge').count()) === 0;
      last = seen;
      if (!steady) return undefined;
      return xs[0] < xs[1] ? (['l-web', 'l-ledger'] as const) : (['l-ledger', 'l-web'] as const);
    }, 10_000, 'the map at rest');
    // Zoomed in a little by hand, as a reader does to look at part of the map.
    const pane = await page.locator('.react-flow__pane').boundingBox();
    if (!pane) throw new Error('the map has no pane');
    const viewport = (): Promise<string> => page.locator('.react-flow__viewport').evaluate((element) => (element as HTMLElement).style.transform);
    const fitted = await viewport();
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await page.mouse.wheel(0, -100);
    await eventually(async () => ((await viewport()) !== fitted ? true : undefined), 5_000, 'the zoom to take effect');

    // Two chains' ends; a call from the one drawn on the right to the other is drawn right to left.
    await postCalls(right, left);
    await page.locator(`.react-flow__edge[data-id="n:${right}→n:${left}"]`).waitFor({ state: 'attached', timeout: 15_000 });
    await relayout.locator('.button__badge').waitFor({ timeout: 10_000 });
    // Layouts run one at a time: a service placed after the call was seen is drawn only once a whole
    // layout begun for it is done.
    await stack.etcd.put('/services/l-late/l-late-1', JSON.stringify({ address: '127.0.0.1:9' }));
    await nodeOf(page, 'l-late').waitFor({ state: 'attached', timeout: 15_000 });
    // The nodes stay where the reader was looking; the call is counted on Re-layout instead.
    expect(await relayout.locator('.button__badge').count()).toBe(1);
    expect(await relayout.locator('.button__badge').textContent()).toBe('1');
    expect(await xOf(page, left)).toBeLessThan(await xOf(page, right));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('lays a map out by itself at most once a minute, counting a call drawn right to left meanwhile on Re-layout', async () => {
    // Two chains of their own, a1 → a2 and b1 → b2: a call from a2 to b1 is drawn right to left.
    for (const [name, dependsOn] of [['l-calm-a1', ['l-calm-a2']], ['l-calm-a2', []], ['l-calm-b1', ['l-calm-b2']], ['l-calm-b2', []]] as const) {
      await stack.etcd.put(`/services/${name}/${name}-1`, JSON.stringify({ address: '127.0.0.1:9', dependsOn }));
    }
    const { page, errors } = await stack.freshPage();
    // The page's clock runs on as usual until moved a minute on below.
    await page.clock.install();
    await page.goto(stack.server.url);
    await ready(page);
    await nodeOf(page, 'l-calm-b2').waitFor({ state: 'attached', timeout: 15_000 });
    // A whole layout shown on this page, as one made by itself for an earlier call would be.
    const relayout = page.getByRole('button', { name: /^Re-layout/ });
    await relayout.click();
    await eventually(async () => ((await xOf(page, 'l-calm-b1')) < (await xOf(page, 'l-calm-a2')) && (await relayout.locator('.button__badge').count()) === 0 ? true : undefined), 20_000, 'the map laid out again');

    await postCalls('l-calm-a2', 'l-calm-b1');
    await page.locator('.react-flow__edge[data-id="n:l-calm-a2→n:l-calm-b1"]').waitFor({ state: 'attached', timeout: 15_000 });
    await relayout.locator('.button__badge').waitFor({ timeout: 10_000 });
    // Layouts run one at a time: a service placed after the call was seen is drawn only once a whole
    // layout begun for it is done.
    await stack.etcd.put('/services/l-calm-late/l-calm-late-1', JSON.stringify({ address: '127.0.0.1:9' }));
    await nodeOf(page, 'l-calm-late').waitFor({ state: 'attached', timeout: 15_000 });
    // The nodes stay where they were; the call is counted on Re-layout until the minute is up.
    expect(await relayout.locator('.button__badge').count()).toBe(1);
    expect(await relayout.locator('.button__badge').textContent()).toBe('1');
    expect(await xOf(page, 'l-calm-b1')).toBeLessThan(await xOf(page, 'l-calm-a2'));

    // A minute after the last whole layout: the map is laid out again by itself, straightening the call.
    await page.clock.fastForward(60_000);
    await relayout.locator('.button__badge').waitFor({ state: 'detached', timeout: 20_000 });
    await eventually(async () => ((await xOf(page, 'l-calm-a2')) < (await xOf(page, 'l-calm-b1')) ? true : undefined), 20_000, 'a2 drawn left of b1');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
