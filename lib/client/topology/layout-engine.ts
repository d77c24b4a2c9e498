import { finishLayout, toElkGraph, WARM_UP, type LayoutEngine } from '@/lib/model/topology/layout';

export const ENGINE_READY_MEASURE = 'switchyard:topology-engine-ready';

/** The bundler recognises exactly this shape and bundles the worker as its own entry. */
function spawnLayoutWorker(): Worker {
  return new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
}

/** ELK in a web worker (browser only): for views and newcomers the server's layout does not cover. */
export async function createLayoutEngine(): Promise<LayoutEngine> {
  const { default: ELK } = await import('elkjs/lib/elk-api');
  const started = performance.now();
  const elk = new ELK({ workerFactory: spawnLayoutWorker });
  // A first, tiny layout while the page is still starting: ELK's one-off set-up (~1 s cold) is then
  // done before the first real layout is asked for. (Warming further on fleet-shaped graphs while
  // the page hydrates was tried: the first 1,000-node layout took as long.)
  await elk.layout(toElkGraph(WARM_UP));
  performance.measure(ENGINE_READY_MEASURE, { start: started });
  return {
    layout: async (request) => finishLayout(await elk.layout(toElkGraph(request)), request),
    dispose: () => elk.terminateWorker(),
  };
}
