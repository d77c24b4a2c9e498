import { WARM_UP } from '@/lib/model/topology-layout';
import { defaultLayoutInput } from '@/lib/model/topology-layout-input';
import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store';
import { createTopologyLayoutCache, type TopologyLayoutCache } from './cache';
import { createWorkerLayoutEngine } from './engine';
import { observedPairsKey, structuralChanges } from './watch';

/** Observed calls are checked this often for pairs never seen (ingest reports come every few seconds). */
const OBSERVED_CHECK_MS = 5_000;

/** The layout cache wired to the registry and the call statistics, with ELK on a worker thread. */
export function startTopologyLayout(options: { store: Store; latency: MetricsStore; log(message: string): void }): TopologyLayoutCache {
  const { store, latency } = options;
  const engine = createWorkerLayoutEngine();
  // Loading and compiling ELK is most of a cold layout's time: done now, while the registry syncs.
  void engine.layout(WARM_UP).catch(() => undefined);
  const cache = createTopologyLayoutCache({
    source: () => defaultLayoutInput(store.snapshot().services, latency.edges()),
    layout: (request) => engine.layout(request),
    debounceMs: 300,
    maxWaitMs: 3_000,
    log: options.log,
  });
  const changed = structuralChanges();
  const unsubscribe = store.subscribe((delta) => {
    if (changed(delta)) cache.touch();
  });
  let pairs = '';
  const poll = setInterval(() => {
    const next = observedPairsKey(latency.edges());
    if (next === pairs) return;
    pairs = next;
    cache.touch();
  }, OBSERVED_CHECK_MS);
  poll.unref();
  cache.touch();
  return {
    ...cache,
    stop() {
      clearInterval(poll);
      unsubscribe();
      cache.stop();
      engine.dispose();
    },
  };
}
