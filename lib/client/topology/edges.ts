'use client';

import { useEffect, useState } from 'react';
import type { EdgeStats } from '@/lib/model/latency';
import type { TopologyEdge } from '@/lib/model/topology/topology';
import { pollWhileVisible } from '../poll-while-visible';

/** Observed edges change once a minute slot closes; every 5 s is fresh enough for a map. */
export const OBSERVED_REFRESH_MS = 5_000;
const SETTLE_PATIENCE_MS = 1_500;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** `{"edges":[TopologyEdge…]}` from `GET /api/v1/topology?observed=only`, back to the store's EdgeStats. */
export function parseObservedEdges(body: unknown): EdgeStats[] {
  if (!isObject(body) || !Array.isArray(body.edges)) throw new Error('unexpected response');
  const edges: EdgeStats[] = [];
  for (const raw of body.edges as unknown[]) {
    if (!isObject(raw) || typeof raw.from !== 'string' || typeof raw.to !== 'string' || typeof raw.rps !== 'number') continue;
    const edge = raw as Partial<TopologyEdge> & { from: string; to: string; rps: number };
    edges.push({
      from: edge.from,
      to: edge.to,
      rps: edge.rps,
      errorRate: numberOrNull(edge.errorRate),
      p50Ms: numberOrNull(edge.p50Ms),
      p95Ms: numberOrNull(edge.p95Ms),
      p99Ms: numberOrNull(edge.p99Ms),
      baselineP95Ms: numberOrNull(edge.baselineP95Ms),
      ...(edge.fromKind === 'queue' || edge.fromKind === 'database' ? { fromKind: edge.fromKind } : {}),
      ...(edge.toKind === 'queue' || edge.toKind === 'database' ? { toKind: edge.toKind } : {}),
      ...(edge.recovered === true ? { recovered: true } : {}),
      // The map judges nodes from these edges as the server does: a quiet edge's calls give no verdict.
      ...(edge.recovered === true && edge.quiet === true ? { quiet: true } : {}),
      ...(typeof edge.recentCalls === 'number' && typeof edge.recentErrors === 'number' ? { recentCalls: edge.recentCalls, recentErrors: edge.recentErrors } : {}),
    });
  }
  return edges;
}

/**
 * Call statistics per edge over the last minute, polled while the tab is visible. The state only
 * changes when the response does, so an idle fleet never re-derives the map.
 */
export interface ObservedEdges {
  edges: EdgeStats[];
  error: string | null;
  /** The first answer (or failure) is in: the first layout waits for it, so observed calls shape the map. */
  settled: boolean;
}

export function useObservedEdges(initial?: readonly EdgeStats[]): ObservedEdges {
  // Edges rendered with the page mean the first layout need not wait for a poll.
  const [state, setState] = useState<ObservedEdges>(() => ({ edges: initial ? [...initial] : [], error: null, settled: initial !== undefined }));

  useEffect(() => {
    // The page's own edges are not compared textually: the first poll replaces them once.
    let last = '';
    const stop = pollWhileVisible(async (signal) => {
      try {
        const response = await fetch('/api/v1/topology?observed=only', { signal, cache: 'no-store' });
        const text = await response.text();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        if (text !== last) {
          last = text;
          setState({ edges: parseObservedEdges(JSON.parse(text)), error: null, settled: true });
        } else setState((current) => (current.error === null && current.settled ? current : { ...current, error: null, settled: true }));
      } catch (error) {
        if (signal.aborted) return;
        setState((current) => ({ ...current, error: error instanceof Error ? error.message : String(error), settled: true }));
      }
    }, OBSERVED_REFRESH_MS);
    // A slow first answer must not hold the map back for long.
    const patience = setTimeout(() => setState((current) => (current.settled ? current : { ...current, settled: true })), SETTLE_PATIENCE_MS);
    return () => {
      clearTimeout(patience);
      stop();
    };
  }, []);

  return state;
}
