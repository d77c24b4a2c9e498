import type { GroupMode, GroupSummary } from '@/lib/model/topology/group';
import type { LayoutEdge, LayoutNode, Point } from '@/lib/model/topology/layout';
import { collapsedGroupSpots, placeNewcomers, type LayoutFunction, type PrecomputedLayout } from '@/lib/model/topology/place';
import { backwardEdges } from '@/lib/model/topology/positions';
import { pairsKey } from './watch';

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
  /**
   * How long after a whole layout (that took `lastMs`) the next one may start, when the graph's
   * shape has changed since; newcomers are placed meanwhile. Default `relayoutSpacing`.
   */
  relayoutSpacingMs?(lastMs: number): number;
  /** Time `layout` has spent laying out so far, if it knows (a worker's start is not layout time); else wall time counts. */
  layoutMs?(): number;
  log?(message: string): void;
}

/**
 * At least 5 s between whole layouts, and 20 times the last one's time: a fleet whose calls keep
 * appearing keeps the layout worker busy 5 % of the time at most.
 */
export const relayoutSpacing = (lastMs: number): number => Math.max(5_000, 20 * lastMs);

/** A whole layout again is logged when it takes this long. */
const SLOW_RELAYOUT_MS = 1_000;

/** A grouping mode as the log says it ("(none)" read as nothing placed). */
const GROUPING_SAID = new Map<GroupMode, string>([
  ['none', 'not grouped'],
  ['zone', 'grouped by zone'],
  ['namespace', 'grouped by namespace'],
]);

/** Identity of the node set (ids, sizes, groups): edges and statuses do not move anything. */
export function nodeSetKey(nodes: readonly LayoutNode[]): string {
  return nodes
    .map((node) => `${node.id}\u0000${node.width}x${node.height}\u0000${node.group ?? ''}`)
    .sort()
    .join('\u0001');
}

/** Identity of the graph's shape: its node set (`nodeSetKey`) and which nodes an edge joins (not its weight). */
export const structureKey = (nodeKey: string, edges: readonly LayoutEdge[]): string => `${nodeKey}\u0002${pairsKey(edges)}`;

/**
 * The server's layout of the map's default view, so a browser's first visit draws at once
 * instead of running ELK itself. Looked at whenever the node set or the call pairs may have
 * changed (never for a status or metric change), laid out on ELK's worker thread. Newcomers are
 * placed around what is there at once, so a page always gets a place for every node; when the
 * graph's shape (nodes or edges) has changed since the last whole layout, the whole view is laid
 * out again once `relayoutSpacingMs` allows. Nobody looks at the server's positions: they only
 * seed a browser that has none of its own, so a whole layout moves nothing on anyone's screen, and
 * calls seen after the first layout (an OpenTelemetry fleet's first exports) shape the next.
 */
export function createTopologyLayoutCache(options: LayoutCacheOptions): TopologyLayoutCache {
  const byMode = new Map<GroupMode, Map<string, Point>>();
  const keys = new Map<GroupMode, string>();
  /** Per mode: the edges the positions were made with (the last whole layout's, and newcomers'). */
  const knownEdges = new Map<GroupMode, Set<string>>();
  /** Per mode: the shape of the last whole layout, when it ended and how long it took. */
  const wholes = new Map<GroupMode, { structure: string; endedAt: number; tookMs: number }>();
  const spacing = options.relayoutSpacingMs ?? relayoutSpacing;
  const spent = options.layoutMs ?? ((): number => performance.now());
  /** A whole layout due later (not pending: `settled` does not wait for it). */
  let deferred: ReturnType<typeof setTimeout> | undefined;
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

  /** A whole layout due in `waitMs`, through the debounce's path unless a look is already on its way. */
  const deferLook = (waitMs: number): void => {
    if (!Number.isFinite(waitMs) || deferred !== undefined || stopped) return;
    deferred = setTimeout(() => {
      deferred = undefined;
      if (timer !== undefined || stopped) return;
      firstTouch = Date.now();
      timer = setTimeout(run, 0);
    }, waitMs);
    deferred.unref?.();
  };

  const look = async (): Promise<void> => {
    const input = options.source();
    const key = nodeSetKey(input.nodes);
    const structure = structureKey(key, input.edges);
    const whole = wholes.get(input.mode);
    const waitMs = whole === undefined || whole.structure === structure ? undefined : whole.endedAt + spacing(whole.tookMs) - performance.now();
    // A whole layout is a placement with nothing placed.
    const again = waitMs !== undefined && waitMs <= 0;
    if (waitMs !== undefined && !again) deferLook(waitMs);
    const placed = again ? new Map<string, Point>() : (byMode.get(input.mode) ?? new Map<string, Point>());
    if (again || keys.get(input.mode) !== key) {
      for (const [id, p] of collapsedGroupSpots(input.nodes, input.groups, placed)) placed.set(id, p);
      const started = spent();
      const newcomers = await placeNewcomers({ nodes: input.nodes, edges: input.edges, groups: input.groups, placed }, countingLayout);
      const tookMs = spent() - started;
      for (const [id, p] of newcomers) placed.set(id, { x: Math.round(p.x), y: Math.round(p.y) });
      byMode.set(input.mode, placed);
      keys.set(input.mode, key);
      const all = newcomers.size === input.nodes.length;
      const known = all ? new Set<string>() : (knownEdges.get(input.mode) ?? new Set<string>());
      for (const edge of input.edges) if (newcomers.has(edge.from) || newcomers.has(edge.to)) known.add(edge.id);
      knownEdges.set(input.mode, known);
      if (all) wholes.set(input.mode, { structure, endedAt: performance.now(), tookMs });
      // A layout again is said only when it costs something: a fleet whose calls trickle in re-lays out every few seconds for a while.
      if (again && tookMs >= SLOW_RELAYOUT_MS) options.log?.(`topology layout: laid out ${input.nodes.length} nodes of the map again, ${GROUPING_SAID.get(input.mode)}, the graph having changed, in ${Math.round(tookMs)} ms`);
      else if (!again && newcomers.size > 0) options.log?.(`topology layout: placed ${newcomers.size} of ${input.nodes.length} nodes of the map, ${GROUPING_SAID.get(input.mode)}, in ${Math.round(tookMs)} ms`);
    }
    const known = knownEdges.get(input.mode) ?? new Set<string>();
    latest = {
      mode: input.mode,
      positions: input.nodes.flatMap((node) => {
        const p = placed.get(node.id);
        return p ? [[node.id, p.x, p.y] as [string, number, number]] : [];
      }),
      backward: [...backwardEdges(
        input.edges.filter((edge) => known.has(edge.id)),
        placed,
      )],
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
      clearTimeout(deferred);
      timer = undefined;
      for (const resolve of waiters.splice(0)) resolve();
    },
  };
}
