import { Worker } from 'node:worker_threads';
import type { LayoutEngine, LayoutRequest, Point } from '@/lib/model/topology/layout';

type Reply = { id: number; positions: [string, number, number][]; ms: number } | { id: number; error: string };

/**
 * A worker idle this long ends. Its isolate with ELK loaded holds ~60 MB, and layouts come in
 * bursts (a deploy adding services) far apart; a cold start costs well under a second, off the loop.
 */
export const LAYOUT_WORKER_IDLE_MS = 30_000;

/**
 * The server's layout engine: ELK in a worker thread (worker.ts), started on first use and ended
 * when idle. The worker is TypeScript, loaded through tsx (worker-entry.mjs).
 */
export function createWorkerLayoutEngine(options: { idleMs?: number } = {}): LayoutEngine & { running(): boolean; computeMs(): number } {
  let worker: Worker | undefined;
  /** Time spent laying out, all layouts together (a cold worker's start excluded). */
  let computeMs = 0;
  let nextId = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const waiting = new Map<number, { resolve(positions: Map<string, Point>): void; reject(error: Error): void }>();

  const retire = (): void => {
    const current = worker;
    worker = undefined;
    void current?.terminate();
  };

  const failAll = (error: Error): void => {
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
    worker = undefined;
  };

  const spawn = (): Worker => {
    const spawned = new Worker(new URL('./worker-entry.mjs', import.meta.url), { execArgv: [] });
    spawned.on('message', (reply: Reply) => {
      const pending = waiting.get(reply.id);
      if (!pending) return;
      waiting.delete(reply.id);
      if (waiting.size === 0) {
        spawned.unref();
        idle = setTimeout(retire, options.idleMs ?? LAYOUT_WORKER_IDLE_MS);
        idle.unref();
      }
      if ('error' in reply) pending.reject(new Error(reply.error));
      else {
        computeMs += reply.ms;
        pending.resolve(new Map(reply.positions.map(([id, x, y]) => [id, { x, y }])));
      }
    });
    spawned.on('error', failAll);
    spawned.on('exit', (code) => {
      if (worker === spawned) failAll(new Error(`layout worker exited (${code})`));
    });
    return spawned;
  };

  return {
    layout(request: LayoutRequest) {
      clearTimeout(idle);
      worker ??= spawn();
      const id = (nextId += 1);
      const target = worker;
      // Only a worker with work keeps the process alive.
      target.ref();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        target.postMessage({ id, request });
      });
    },
    dispose() {
      clearTimeout(idle);
      retire();
      failAll(new Error('layout engine disposed'));
    },
    running: () => worker !== undefined,
    computeMs: () => computeMs,
  };
}
