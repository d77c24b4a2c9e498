import { afterEach, describe, expect, it, vi } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { Instance, Service, Status } from '@/lib/model/instance';
import { summaryOfService } from '@/lib/model/service-summary';
import { defaultLayoutInput } from '@/lib/model/topology/layout-input';
import { finishLayout, toElkGraph, type Point } from '@/lib/model/topology/layout';
import type { LayoutFunction, PrecomputedLayout } from '@/lib/model/topology/place';
import { overlaps } from '@/lib/model/topology/positions';
import { createTopologyLayoutCache, nodeSetKey, relayoutSpacing, structureKey, type TopologyLayoutCache } from './cache';

const elk = new ELK();
const layout: LayoutFunction = async (request) => finishLayout(await elk.layout(toElkGraph(request)), request);

const service = (name: string, dependsOn: string[] = [], status: Status = 'passing'): Service => {
  const instance: Instance = { id: `${name}-1`, service: name, key: `/services/${name}/1`, address: '127.0.0.1:9', format: 'native', metadata: {}, dependsOn, status, drain: null };
  return { name, status, instances: [instance] };
};
const FLEET = [service('gateway', ['orders', 'users']), service('orders', ['payments', 'postgres']), service('payments', ['postgres']), service('users', ['redis'])];

const positionsOf = (layout: PrecomputedLayout | undefined): Map<string, Point> => new Map((layout?.positions ?? []).map(([id, x, y]) => [id, { x, y }]));

describe('server layout cache', () => {
  let cache: TopologyLayoutCache | undefined;
  afterEach(() => cache?.stop());

  const start = (fleet: () => Service[], observed: () => { from: string; to: string }[] = () => [], relayoutSpacingMs: (lastMs: number) => number = () => 60_000): TopologyLayoutCache => {
    const source = (): ReturnType<typeof defaultLayoutInput> =>
      defaultLayoutInput(
        fleet().map(summaryOfService),
        observed().map((pair) => ({ ...pair, rps: 1, errorRate: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 })),
      );
    cache = createTopologyLayoutCache({ source, layout, debounceMs: 5, maxWaitMs: 50, relayoutSpacingMs });
    return cache;
  };
  /** ELK's whole layout of the default view of this fleet and these calls. */
  const wholeLayout = async (fleet: Service[], observed: { from: string; to: string }[]): Promise<Map<string, Point>> => {
    const input = defaultLayoutInput(
      fleet.map(summaryOfService),
      observed.map((pair) => ({ ...pair, rps: 1, errorRate: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 })),
    );
    return layout({ nodes: input.nodes, edges: input.edges });
  };

  it('lays out the default view once, and a look at the same graph keeps it', async () => {
    const cache = start(() => FLEET);
    cache.touch();
    const first = await cache.settled(10_000);
    expect(first?.mode).toBe('none');
    expect(positionsOf(first).size).toBe(6);
    expect(cache.layoutRuns()).toBe(1);
    // Exactly ELK's layout of the default view (what a browser without a server layout computes).
    const input = defaultLayoutInput(FLEET.map(summaryOfService), []);
    expect(positionsOf(first)).toEqual(await layout({ nodes: input.nodes, edges: input.edges }));

    cache.touch();
    expect(await cache.settled(10_000)).toEqual(first);
    expect(cache.layoutRuns()).toBe(1);
  });

  it('says what it placed in words a newcomer can place: "(none)" was the grouping mode\u2019s name', async () => {
    const logged: string[] = [];
    cache = createTopologyLayoutCache({ source: () => defaultLayoutInput(FLEET.map(summaryOfService), []), layout, debounceMs: 0, maxWaitMs: 0, log: (message) => logged.push(message) });
    cache.touch();
    await cache.settled(10_000);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^topology layout: placed 6 of 6 nodes of the map, not grouped, in \d+ ms$/);
  });

  it('does not lay out again when only a status changes', async () => {
    let fleet = FLEET;
    const cache = start(() => fleet);
    cache.touch();
    const first = await cache.settled(10_000);
    fleet = FLEET.map((s) => (s.name === 'payments' ? service('payments', ['postgres'], 'critical') : s));
    cache.touch();
    expect(await cache.settled(10_000)).toEqual(first);
    expect(cache.layoutRuns()).toBe(1);
  });

  it('places a new service next to its callers without moving any other node', async () => {
    let fleet = FLEET;
    const cache = start(() => fleet);
    cache.touch();
    const before = positionsOf(await cache.settled(10_000));
    fleet = [...FLEET, service('audit', ['payments'])];
    cache.touch();
    const after = positionsOf(await cache.settled(10_000));
    expect(after.size).toBe(7);
    for (const [id, p] of before) expect(after.get(id), id).toEqual(p);
    const audit = after.get('n:audit');
    const payments = after.get('n:payments');
    expect(audit && payments && audit.x + 200 <= payments.x).toBe(true);
    const rects = [...after].map(([id, p]) => ({ ...p, width: id === 'n:postgres' || id === 'n:redis' ? 156 : 200, height: 64 }));
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  });

  it('lays the whole view out again when calls appear between nodes it has placed', async () => {
    // The demo's shape: the first layout knows mailer only as a service, then its caller's first exports arrive.
    const fleet = [...FLEET, service('mailer'), service('notifications')];
    let observed: { from: string; to: string }[] = [];
    const cache = start(() => fleet, () => observed, () => 0);
    cache.touch();
    expect(positionsOf(await cache.settled(10_000))).toEqual(await wholeLayout(fleet, []));
    observed = [
      { from: 'orders', to: 'notifications' },
      { from: 'notifications', to: 'mailer' },
    ];
    cache.touch();
    const after = positionsOf(await cache.settled(10_000));
    expect(after).toEqual(await wholeLayout(fleet, observed));
    expect(cache.layoutRuns()).toBe(2);
    const x = (id: string): number => after.get(id)?.x ?? Number.NaN;
    expect(x('n:orders')).toBeLessThan(x('n:notifications'));
    expect(x('n:notifications')).toBeLessThan(x('n:mailer'));
  });

  it('places newcomers at once and lays the whole view out once the spacing allows', async () => {
    let fleet = FLEET;
    const spacings: number[] = [];
    const cache = start(
      () => fleet,
      () => [],
      (lastMs) => {
        spacings.push(lastMs);
        return 1_000;
      },
    );
    cache.touch();
    const before = positionsOf(await cache.settled(10_000));
    fleet = [...FLEET, service('audit', ['payments'])];
    cache.touch();
    // Settled means no look pending; the whole layout due later is not waited for.
    const placed = positionsOf(await cache.settled(10_000));
    expect(placed.size).toBe(7);
    for (const [id, p] of before) expect(placed.get(id), id).toEqual(p);
    expect(spacings.length).toBeGreaterThan(0);
    expect(spacings.every((ms) => ms >= 0)).toBe(true);
    const runs = cache.layoutRuns();
    await vi.waitFor(() => expect(cache.layoutRuns()).toBe(runs + 1), { timeout: 4_000, interval: 20 });
    expect(positionsOf(await cache.settled(10_000))).toEqual(await wholeLayout(fleet, []));
  }, 15_000);

  it('ships the edges it knew and draws right to left, not calls that came after it', async () => {
    // gateway → users and users → gateway: a cycle, so the layout draws one of them right to left.
    let observed = [{ from: 'users', to: 'gateway' }];
    const cache = start(() => FLEET, () => observed);
    cache.touch();
    const first = await cache.settled(10_000);
    const cycle = ['n:gateway\u2192n:users', 'n:users\u2192n:gateway'];
    expect(first?.backward).toHaveLength(1);
    expect(cycle).toContain(first?.backward?.[0]);
    // A call from payments back to gateway after the layout (the whole layout it calls for is due in a minute).
    observed = [...observed, { from: 'payments', to: 'gateway' }];
    cache.touch();
    const after = await cache.settled(10_000);
    const x = (id: string): number => after?.positions.find(([node]) => node === id)?.[1] ?? Number.NaN;
    expect(x('n:gateway')).toBeLessThan(x('n:payments'));
    expect(after?.backward).toEqual(first?.backward);
  });

  it('spaces whole layouts by at least 5 s and 20 times the last one', () => {
    expect(relayoutSpacing(10)).toBe(5_000);
    expect(relayoutSpacing(1_000)).toBe(20_000);
  });

  it('keys the shape by nodes and call pairs, not by order or weight', () => {
    const nodes = [
      { id: 'n:a', width: 200, height: 56 },
      { id: 'n:b', width: 200, height: 56 },
    ];
    const ab = { id: 'e1', from: 'n:a', to: 'n:b', weight: 1 };
    const ba = { id: 'e2', from: 'n:b', to: 'n:a', weight: 1 };
    expect(structureKey(nodeSetKey(nodes), [ab, ba])).toBe(structureKey(nodeSetKey([...nodes].reverse()), [ba, { ...ab, weight: 9 }]));
    expect(structureKey(nodeSetKey(nodes), [ab])).not.toBe(structureKey(nodeSetKey(nodes), [ba]));
    expect(structureKey(nodeSetKey(nodes), [ab])).not.toBe(structureKey(nodeSetKey(nodes), []));
  });

  it('answers at once when idle, and with what it has when a layout outlasts the patience', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    cache = createTopologyLayoutCache({
      source: () => defaultLayoutInput(FLEET.map(summaryOfService), []),
      layout: async (request) => {
        await gate;
        return layout(request);
      },
      debounceMs: 0,
      maxWaitMs: 0,
    });
    expect(await cache.settled(10)).toBeUndefined();
    cache.touch();
    expect(await cache.settled(50)).toBeUndefined();
    release();
    expect(positionsOf(await cache.settled(10_000)).size).toBe(6);
  });

  it('logs a layout that fails while running, and not one cut short by stop (a shutdown prints no error)', async () => {
    const logged: string[] = [];
    /** A cache whose layouts never finish by themselves: `started` resolves with the way to fail the first one. */
    const failing = (): { cache: TopologyLayoutCache; started: Promise<(error: Error) => void> } => {
      let begun: (fail: (error: Error) => void) => void = () => undefined;
      const started = new Promise<(error: Error) => void>((resolve) => (begun = resolve));
      const created = createTopologyLayoutCache({
        source: () => defaultLayoutInput(FLEET.map(summaryOfService), []),
        layout: () => new Promise((_resolve, reject) => begun(reject)),
        debounceMs: 0,
        maxWaitMs: 0,
        log: (message) => logged.push(message),
      });
      cache = created;
      return { cache: created, started };
    };

    const running = failing();
    running.cache.touch();
    (await running.started)(new Error('layout worker exited (1)'));
    await running.cache.settled(10_000);
    expect(logged).toEqual(['topology layout failed: layout worker exited (1)']);
    running.cache.stop();

    logged.length = 0;
    const stopped = failing();
    stopped.cache.touch();
    const fail = await stopped.started;
    stopped.cache.stop();
    const done = stopped.cache.settled(10_000);
    fail(new Error('layout engine disposed'));
    await done;
    expect(logged).toEqual([]);
  });

  it('keys the node set by ids, sizes and groups, not order', () => {
    const a = { id: 'n:a', width: 200, height: 56 };
    const b = { id: 'n:b', width: 156, height: 64 };
    expect(nodeSetKey([a, b])).toBe(nodeSetKey([b, a]));
    expect(nodeSetKey([a, b])).not.toBe(nodeSetKey([a, { ...b, width: 200 }]));
    expect(nodeSetKey([a, b])).not.toBe(nodeSetKey([a, { ...b, group: 'g' }]));
  });
});
