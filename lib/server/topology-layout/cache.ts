import type { GroupMode, GroupSummary } from '@/lib/model/topology/group';
import type { LayoutEdge, LayoutNode, Point } from '@/lib/model/topology/layout';
import { collapsedGroupSpots, placeNewcomers, type LayoutFunction, type PrecomputedLayout } from '@/lib/model/topology/place';

/** What the cache lays out: the map's default view of the fleet as it is now. */
export interface LayoutInput {
  mode: GroupMode;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  groups: ReadonlyMap<string, GroupSummary>;
}

export interface TopologyLayoutCache {
  /** The graph may have changed: look again once things are quiet (debounced). */
  touch(): void;
  /** The latest layout, for the nodes of the latest graph. */
  current(): PrecomputedLayout | undefined;
  /** The layout once nothing is pending, or whatever there is after `timeoutMs`. */
  settled(timeoutMs: number): Promise<PrecomputedLayout | undefined>;
  /** How many times ELK was asked for (a whole layout or blocks of newcomers), for tests. */
  layoutRuns(): number;
  stop(): void;
}

export interface LayoutCacheOptions {
  source(): LayoutInput;
  layout: LayoutFunction;
  /** Quiet time before a look; a steady stream of touches still gets one every `maxWaitMs`. */
  debounceMs: number;
  maxWaitMs: number;
  log?(message: string): void;
}

/** Identity of the node set (ids, sizes, groups): edges and statuses do not move anything. */
export function nodeSetKey(nodes: readonly LayoutNode[]): string {
  return nodes
    .map((node) => `${node.id}\u0000${node.width}x${node.height}\u0000${node.group ?? ''}`)
    .sort()
    .join('\u0001');
}

/**
 * The server's layout of the map's default view, so a browser's first visit draws at once
 * instead of running ELK itself. Laid out whenever the node set changes (never for a status or
 * metric change), on ELK's worker thread; like the browser, it places newcomers around what is
 * there and never moves a node it has placed.
 */
export function createTopologyLayoutCache(options: LayoutCacheOptions): TopologyLayoutCache {
  const byMode = new Map<GroupMode, Map<string, Point>>();
  const keys = new Map<GroupMode, string>();
  let latest: PrecomputedLayout | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstTouch = 0;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let runs = 0;
  let waiters: (() => void)[] = [];

  const countingLayout: LayoutFunction = (request) => {
    runs += 1;
    return options.layout(request);
  };

  const idle = (): boolean => timer === undefined && running === undefined;
  const wake = (): void => {
    if (!idle()) return;
    const list = waiters;
    waiters = [];
    for (const resolve of list) resolve();
  };

  const look = async (): Promise<void> => {
    const input = options.source();
    const key = nodeSetKey(input.nodes);
    const placed = byMode.get(input.mode) ?? new Map<string, Point>();
    if (keys.get(input.mode) !== key) {
      for (const [id, p] of collapsedGroupSpots(input.nodes, input.groups, placed)) placed.set(id, p);
      const started = performance.now();
      const newcomers = await placeNewcomers({ nodes: input.nodes, edges: input.edges, groups: input.groups, placed }, countingLayout);
      for (const [id, p] of newcomers) placed.set(id, { x: Math.round(p.x), y: Math.round(p.y) });
      byMode.set(input.mode, placed);
      keys.set(input.mode, key);
      if (newcomers.size > 0) options.log?.(`topology layout: placed ${newcomers.size} of ${input.nodes.length} nodes (${input.mode}) in ${Math.round(performance.now() - started)} ms`);
    }
    latest = {
      mode: input.mode,
      positions: input.nodes.flatMap((node) => {
        const p = placed.get(node.id);
        return p ? [[node.id, p.x, p.y] as [string, number, number]] : [];
      }),
    };
  };

  const run = (): void => {
    timer = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = look()
      .catch((error: unknown) => {
        // A layout cut short by a shutdown (the engine disposed under it) is not a failure worth a line.
        if (!stopped) options.log?.(`topology layout failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          run();
        } else wake();
      });
  };

  return {
    touch() {
      if (stopped) return;
      const now = Date.now();
      if (timer === undefined) firstTouch = now;
      clearTimeout(timer);
      timer = setTimeout(run, now - firstTouch >= options.maxWaitMs ? 0 : options.debounceMs);
    },
    current: () => latest,
    settled(timeoutMs) {
      if (idle()) return Promise.resolve(latest);
      return new Promise((resolve) => {
        const timeout = setTimeout(() => resolve(latest), timeoutMs);
        waiters.push(() => {
          clearTimeout(timeout);
          resolve(latest);
        });
      });
    },
    layoutRuns: () => runs,
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}
