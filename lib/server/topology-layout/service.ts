import { defaultLayoutInput } from '@/lib/model/topology/layout-input';
import type { MetricsStore } from '../metrics-store/store';
import type { LiveFeed } from '../store/store';
import { createTopologyLayoutCache, type LayoutInput, type TopologyLayoutCache } from './cache';
import { createWorkerLayoutEngine } from './engine';
import { pairsKey, structuralChanges } from './watch';

const NO_FIGURES = { rps: 0, errorRate: null, p50Ms: null, p95Ms: null, p99Ms: null } as const;

/** Observed calls are checked this often for pairs never seen. */
const OBSERVED_CHECK_MS = 1_000;
/**
 * The first layout waits for the first call statistics (ingest reports come every few seconds), so
 * observed calls shape it as they shape a browser's: the server keeps its positions for good. A
 * fleet that reports nothing is laid out after this long.
 */
export const FIRST_TRAFFIC_PATIENCE_MS = 10_000;

type LayoutStore = Pick<LiveFeed, 'summarySnapshot' | 'subscribeViews'>;

/**
 * The default view's layout input now: from the per-service summaries the store keeps up to date
 * (a look at 10,000 services never walks their 100,000 instances), and the observed call pairs.
 */
export function layoutSource(store: LayoutStore, latency: Pick<MetricsStore, 'edgePairs'>): () => LayoutInput {
  // Where nodes go depends on which pairs call each other, never on their figures (not computed here).
  return () => defaultLayoutInput(store.summarySnapshot().services, latency.edgePairs().map((pair) => ({ ...pair, ...NO_FIGURES })));
}

/** The layout cache wired to the registry and the call statistics, with ELK on a worker thread. */
export function startTopologyLayout(options: {
  store: LayoutStore;
  latency: MetricsStore;
  log(message: string): void;
  patienceMs?: number;
  relayoutSpacingMs?(lastMs: number): number;
}): TopologyLayoutCache {
  const { store, latency } = options;
  const engine = createWorkerLayoutEngine();
  const cache = createTopologyLayoutCache({
    source: layoutSource(store, latency),
    layout: (request) => engine.layout(request),
    debounceMs: 300,
    maxWaitMs: 3_000,
    ...(options.relayoutSpacingMs ? { relayoutSpacingMs: options.relayoutSpacingMs } : {}),
    layoutMs: () => engine.computeMs(),
    log: options.log,
  });
  // Until the first call statistics (or the patience) the cache does not look: pages meanwhile
  // carry no server layout, and browsers lay out for themselves as they always could.
  let open = false;
  const openUp = (): void => {
    if (open) return;
    open = true;
    cache.touch();
  };
  const patience = setTimeout(openUp, options.patienceMs ?? FIRST_TRAFFIC_PATIENCE_MS);
  patience.unref();
  // Summaries as they are now, then every batch after (before the first look too), so each is
  // judged against the truth.
  const changed = structuralChanges(store.summarySnapshot().services);
  const unsubscribe = store.subscribeViews((delta) => {
    const structural = changed(delta);
    if (open && structural) cache.touch();
  });
  let pairs = '';
  const poll = setInterval(() => {
    // Pairs only: every edge's figures each second cost the event loop tens of ms in a flood of new reporters.
    const edges = latency.edgePairs();
    const next = pairsKey(edges);
    if (next === pairs) return;
    pairs = next;
    if (open) cache.touch();
    else if (edges.length > 0) openUp();
  }, OBSERVED_CHECK_MS);
  poll.unref();
  return {
    ...cache,
    stop() {
      clearTimeout(patience);
      clearInterval(poll);
      unsubscribe();
      cache.stop();
      engine.dispose();
    },
  };
}
