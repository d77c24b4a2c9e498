'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { autoRelayout } from '@/lib/model/topology/auto-relayout';
import { nodeGraphId, type GroupMode, type GroupSummary } from '@/lib/model/topology/group';
import type { LayoutEdge, LayoutEngine, LayoutNode, Point } from '@/lib/model/topology/layout';
import { collapsedGroupSpots, gridFallback, placeNewcomers, startingPositions, type PrecomputedLayout } from '@/lib/model/topology/place';
import { backwardEdges, boundsOf, clearPositions, isArranged, loadPositions, savePositions, setArranged, type PositionMap } from '@/lib/model/topology/positions';
import { createLayoutEngine } from './layout-engine';

/** performance.measure names: a whole layout, and a placement of newcomers (read by bench/topology.ts). */
export const LAYOUT_MEASURE = 'switchyard:topology-layout';
export const PLACEMENT_MEASURE = 'switchyard:topology-placement';

let engine: Promise<LayoutEngine> | undefined;
/** One ELK worker per tab, started on first use and kept: a warm worker lays out much faster. */
function layoutEngine(): Promise<LayoutEngine> {
  engine ??= createLayoutEngine();
  return engine;
}
const layoutInWorker = async (request: Parameters<LayoutEngine['layout']>[0]): Promise<PositionMap> => (await layoutEngine()).layout(request);

const storage = (): Storage | undefined => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
};

export interface LayoutProgress {
  /** Nodes being placed, and whether it is a whole layout (nothing to show yet) or newcomers. */
  nodes: number;
  full: boolean;
}

export interface TopologyLayout {
  /** Positions of the current grouping mode, by graph id. Mutated only by layouts of unplaced nodes, drags, re-layout and a whole layout adopted for calls drawn right to left. */
  positions: PositionMap;
  /** Bumped whenever positions change. */
  version: number;
  pending: LayoutProgress | null;
  error: string | null;
  relayout(): void;
  /**
   * Edges drawn right to left that were not when the map was laid out (calls seen since): what a
   * re-layout would straighten. Counted on the layout's edges, which every shown edge is among.
   * Stays above 0 only on a map arranged by hand or viewed where the reader moved it, or within a
   * minute of the last whole layout shown (or while its new whole layout is being made).
   */
  backwardSinceLayout: number;
  /** A drag ended: these nodes now sit here (a collapsed group carries its members along). */
  move(moves: ReadonlyMap<string, Point>): void;
  /** Whole layouts adopted by themselves for calls drawn right to left: every node moved. */
  adopted: number;
}

/**
 * Positions for the map. A status or metric change does not touch positions; newcomers (a new
 * service, an expanded group, a grouping never laid out) are placed around what is there
 * (`placeNewcomers`); "Re-layout" lays everything out again, and so do calls seen since the layout
 * drawn right to left, at most once a minute, unless the grouping was arranged by hand or the
 * reader holds the view (meanwhile, or then, they are counted). A page
 * starts from the server's layout (shipped with the page) unless this browser's positions for the
 * grouping were arranged by hand (`startingPositions`), so a first visit runs no layout at all and
 * a later one shows calls that appeared since. Otherwise ELK runs in a web worker, one
 * request at a time; a re-layout makes results of older requests stale.
 */
export function useTopologyLayout(
  mode: GroupMode,
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  groups: ReadonlyMap<string, GroupSummary>,
  /** False until the inputs are complete enough to place anything (the first call statistics). */
  ready: boolean,
  /** The server's layout of the default view, if it had one when the page was rendered. */
  precomputed: PrecomputedLayout | undefined,
  /**
   * False while the view is the reader's: a drag or pan under way, or a view moved by hand. A whole
   * layout adopted then moved every node out from under them; they get the count on "Re-layout".
   */
  viewIsOurs: () => boolean,
): TopologyLayout {
  const byMode = useRef(new Map<GroupMode, PositionMap>());
  /** Per mode: the edges drawn right to left once everything had a place after a whole layout (or on arrival). */
  const backwardAtLayout = useRef(new Map<GroupMode, Set<string>>());
  const running = useRef(false);
  const generation = useRef(0);
  const [version, setVersion] = useState(0);
  const [pending, setPending] = useState<LayoutProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adopted, setAdopted] = useState(0);
  /** When this page last showed a whole layout (performance.now): one made by itself waits a minute from it. */
  const lastWholeLayoutAt = useRef<number | undefined>(undefined);
  /** Bumped when a whole layout put off to keep the map calm falls due. */
  const [autoRelayoutWake, setAutoRelayoutWake] = useState(0);

  let positions = byMode.current.get(mode);
  let seeded = false;
  if (!positions) {
    const browser = typeof window !== 'undefined';
    const start = startingPositions(browser ? loadPositions(storage(), mode) : new Map<string, Point>(), browser && isArranged(storage(), mode), mode, precomputed);
    positions = start.positions;
    seeded = start.fromServer;
    byMode.current.set(mode, positions);
    // What the server's layout drew right to left itself; other such edges came after it.
    if (seeded && precomputed?.backward) backwardAtLayout.current.set(mode, new Set(precomputed.backward));
  }
  const current = positions;
  const needsEngine = current.size === 0;

  useEffect(() => {
    // A browser that has to lay out the whole map starts ELK right away: loading it is most of a first layout's time.
    if (needsEngine) void layoutEngine().catch(() => undefined);
  }, [needsEngine]);

  useEffect(() => {
    if (seeded) savePositions(storage(), mode, current);
  }, [seeded, mode, current]);

  useEffect(() => {
    if (running.current || !ready) return;
    let changed = false;
    for (const [id, p] of collapsedGroupSpots(nodes, groups, current)) {
      current.set(id, p);
      changed = true;
    }
    const unplaced = nodes.filter((node) => !current.has(node.id));
    if (unplaced.length === 0) {
      if (!backwardAtLayout.current.has(mode)) backwardAtLayout.current.set(mode, backwardEdges(edges, current));
      if (changed) {
        savePositions(storage(), mode, current);
        setVersion((v) => v + 1);
      }
      return;
    }
    running.current = true;
    const started = generation.current;
    const full = unplaced.length === nodes.length;
    setPending({ nodes: unplaced.length, full });

    const startedAt = performance.now();
    placeNewcomers({ nodes, edges, groups, placed: current }, layoutInWorker)
      .then((placed) => {
        if (started !== generation.current) return;
        performance.measure(full ? LAYOUT_MEASURE : PLACEMENT_MEASURE, { start: startedAt, detail: { nodes: unplaced.length } });
        for (const [id, p] of placed) current.set(id, p);
        if (full) {
          backwardAtLayout.current.delete(mode);
          lastWholeLayoutAt.current = performance.now();
        }
        savePositions(storage(), mode, current);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (started !== generation.current) return;
        setError(failure instanceof Error ? failure.message : String(failure));
        for (const [id, p] of gridFallback(unplaced, { x: 0, y: (boundsOf([...current.values()].map((p) => ({ ...p, width: 0, height: 0 })))?.height ?? 0) + 200 })) current.set(id, p);
      })
      .finally(() => {
        // A re-layout meanwhile started its own run: that one owns the flag now.
        if (started === generation.current) running.current = false;
        setPending(null);
        setVersion((v) => v + 1);
      });
  }, [mode, nodes, edges, groups, current, version, ready]);

  const relayout = useCallback(() => {
    generation.current += 1;
    running.current = false;
    byMode.current.set(mode, new Map());
    backwardAtLayout.current.delete(mode);
    clearPositions(storage(), mode);
    setArranged(storage(), mode, false);
    setVersion((v) => v + 1);
  }, [mode]);

  const move = useCallback(
    (moves: ReadonlyMap<string, Point>) => {
      for (const [id, p] of moves) {
        const before = current.get(id);
        current.set(id, { x: Math.round(p.x), y: Math.round(p.y) });
        if (!before || !id.startsWith('g:')) continue;
        const dx = p.x - before.x;
        const dy = p.y - before.y;
        for (const name of groups.get(id.slice(2))?.members ?? []) {
          const member = current.get(nodeGraphId(name));
          if (member) current.set(nodeGraphId(name), { x: Math.round(member.x + dx), y: Math.round(member.y + dy) });
        }
      }
      savePositions(storage(), mode, current);
      setArranged(storage(), mode, true);
      // Arranged by hand: what is drawn right to left now is the reader's doing, not news.
      backwardAtLayout.current.set(mode, backwardEdges(edges, current));
      setVersion((v) => v + 1);
    },
    [current, edges, groups, mode],
  );

  // A fresh map per change, so whatever depends on positions recomputes (the live one is mutated in place).
  const snapshot = useMemo(() => (version >= 0 ? new Map(current) : current), [current, version]);
  const backwardSinceLayout = useMemo(() => {
    const before = backwardAtLayout.current.get(mode);
    if (!before) return 0;
    let count = 0;
    for (const id of backwardEdges(edges, snapshot)) if (!before.has(id)) count += 1;
    return count;
  }, [edges, snapshot, mode]);

  // Calls drawn right to left since the layout, on a map nobody arranged by hand in this grouping:
  // a whole layout of the graph as it is now replaces the positions (made aside, so the map stays
  // drawn meanwhile), at once or a minute after the last whole layout shown (`autoRelayout`).
  // Arranged by hand, or viewed where the reader moved it, the positions are the reader's: only counted.
  const adoptionFailedOn = useRef<readonly LayoutEdge[] | null>(null);
  useEffect(() => {
    if (running.current || !ready || adoptionFailedOn.current === edges) return undefined;
    const decision = autoRelayout({
      backwardSinceLayout,
      arranged: isArranged(storage(), mode),
      viewIsOurs: viewIsOurs(),
      lastWholeLayoutAtMs: lastWholeLayoutAt.current,
      nowMs: performance.now(),
    });
    if (decision.kind === 'none') return undefined;
    if (decision.kind === 'later') {
      const timer = setTimeout(() => setAutoRelayoutWake((n) => n + 1), decision.atMs - performance.now());
      return () => clearTimeout(timer);
    }
    running.current = true;
    const started = generation.current;
    const startedAt = performance.now();
    placeNewcomers({ nodes, edges, groups, placed: new Map() }, layoutInWorker)
      .then((placed) => {
        // A re-layout meanwhile owns the positions; a drag made them the reader's, a pan or zoom the view.
        if (started !== generation.current || isArranged(storage(), mode) || !viewIsOurs()) return;
        performance.measure(LAYOUT_MEASURE, { start: startedAt, detail: { nodes: nodes.length } });
        current.clear();
        for (const [id, p] of placed) current.set(id, p);
        backwardAtLayout.current.delete(mode);
        lastWholeLayoutAt.current = performance.now();
        savePositions(storage(), mode, current);
        setAdopted((n) => n + 1);
      })
      .catch(() => {
        // The positions shown stay and the count stays on "Re-layout"; not tried again for these edges.
        adoptionFailedOn.current = edges;
      })
      .finally(() => {
        if (started === generation.current) running.current = false;
        setVersion((v) => v + 1);
      });
    return undefined;
  }, [backwardSinceLayout, mode, nodes, edges, groups, current, ready, version, viewIsOurs, autoRelayoutWake]);

  return { positions: snapshot, version, pending, error, relayout, move, backwardSinceLayout, adopted };
}
