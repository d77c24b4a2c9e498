import { afterAll, describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import { finishLayout, toElkGraph } from '@/lib/model/topology/layout';
import { createWorkerLayoutEngine } from './engine';

describe('worker-thread layout engine', () => {
  const engine = createWorkerLayoutEngine();
  afterAll(() => engine.dispose());

  it('lays out on a worker thread exactly as ELK does in process, serving requests in turn', async () => {
    const node = (id: string) => ({ id, width: 200, height: 56 });
    const request = {
      nodes: [node('gateway'), node('orders'), node('postgres')],
      edges: [
        { id: '1', from: 'gateway', to: 'orders' },
        { id: '2', from: 'orders', to: 'postgres' },
      ],
    };
    const [first, second] = await Promise.all([engine.layout(request), engine.layout(request)]);
    expect(first.size).toBe(3);
    expect(Object.fromEntries(second ?? [])).toEqual(Object.fromEntries(first ?? []));
    expect(first).toEqual(finishLayout(await new ELK().layout(toElkGraph(request)), request));
  });

  it('ends an idle worker and starts a new one for the next layout', async () => {
    const brief = createWorkerLayoutEngine({ idleMs: 50 });
    const request = { nodes: [{ id: 'a', width: 10, height: 10 }], edges: [] };
    try {
      const first = await brief.layout(request);
      expect(brief.running()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(brief.running()).toBe(false);
      expect(await brief.layout(request)).toEqual(first);
    } finally {
      brief.dispose();
    }
  });

  it('counts the time spent laying out, not a cold worker\u2019s start', async () => {
    const cold = createWorkerLayoutEngine();
    const request = { nodes: [{ id: 'a', width: 10, height: 10 }], edges: [] };
    try {
      expect(cold.computeMs()).toBe(0);
      const started = performance.now();
      await cold.layout(request);
      const wall = performance.now() - started;
      // The first request waits for the worker and tsx to start (hundreds of ms); one node lays out in a few.
      expect(cold.computeMs()).toBeGreaterThan(0);
      expect(cold.computeMs()).toBeLessThan(wall / 2);
    } finally {
      cold.dispose();
    }
  });

  it('fails pending requests when disposed', async () => {
    const other = createWorkerLayoutEngine();
    const pending = other.layout({ nodes: [{ id: 'a', width: 10, height: 10 }], edges: [] });
    other.dispose();
    await expect(pending).rejects.toThrow('disposed');
  });
});
