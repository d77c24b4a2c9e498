// ELK on a worker thread: the server's event loop never waits for a layout (1,000 nodes take a
// second or more). One request at a time, from engine.ts; positions go back as [id, x, y] rows,
// with the time the layout took (not the worker's start).
// Imports are relative: tsx resolves the '@/' alias from the working directory's tsconfig, and
// the server may run from anywhere.
import { parentPort } from 'node:worker_threads';
import ELK from 'elkjs/lib/elk.bundled.js';
import { finishLayout, toElkGraph, type LayoutRequest } from '../../model/topology/layout';

const elk = new ELK();

parentPort?.on('message', (message: { id: number; request: LayoutRequest }) => {
  const { id, request } = message;
  const started = performance.now();
  elk
    .layout(toElkGraph(request))
    .then((result) => {
      const positions = [...finishLayout(result, request)].map(([node, p]) => [node, p.x, p.y]);
      parentPort?.postMessage({ id, positions, ms: performance.now() - started });
    })
    .catch((error: unknown) => parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) }));
});
