import { afterEach, describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { Instance, Service, Status } from '@/lib/model/instance';
import { summaryOfService } from '@/lib/model/service-summary';
import { defaultLayoutInput } from '@/lib/model/topology/layout-input';
import { finishLayout, toElkGraph, type Point } from '@/lib/model/topology/layout';
import type { LayoutFunction, PrecomputedLayout } from '@/lib/model/topology/place';
import { overlaps } from '@/lib/model/topology/positions';
import { createTopologyLayoutCache, nodeSetKey, type TopologyLayoutCache } from './cache';

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

  const start = (fleet: () => Service[]): TopologyLayoutCache => {
    cache = createTopologyLayoutCache({ source: () => defaultLayoutInput(fleet().map(summaryOfService), []), layout, debounceMs: 5, maxWaitMs: 50 });
    return cache;
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
