'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { groupGraphId, nodeGraphId, type GroupMode, type GroupSummary } from '@/lib/model/topology-group';
import { createLayoutEngine, type LayoutEdge, type LayoutEngine, type LayoutNode, type Point } from './topology-layout';
import { blocksToPlace, boundsOf, clearPositions, loadPositions, placeBlocks, savePositions, type Block, type PositionMap } from './topology-positions';

/** performance.measure names: a whole layout, and a placement of newcomers (read by bench/topology.ts). */
export const LAYOUT_MEASURE = 'switchyard:topology-layout';
export const PLACEMENT_MEASURE = 'switchyard:topology-placement';

let engine: Promise<LayoutEngine> | undefined;
/** One ELK worker per tab, started on first use and kept: a warm worker lays out much faster. */
function layoutEngine(): Promise<LayoutEngine> {
  engine ??= createLayoutEngine();
  return engine;
}
// Start the worker as soon as this code loads, before React hydrates: loading and compiling ELK
// is most of a first layout's time.
if (typeof window !== 'undefined' && typeof Worker !== 'undefined') void layoutEngine().catch(() => undefined);

const storage = (): Storage | undefined => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
};

/** A grid, row by row, for when the worker cannot run: ugly but usable, and still stable. */
function gridFallback(nodes: readonly LayoutNode[], start: Point): PositionMap {
  const perRow = Math.max(1, Math.ceil(Math.sqrt(nodes.length)));
  return new Map(nodes.map((node, i) => [node.id, { x: start.x + (i % perRow) * 240, y: start.y + Math.floor(i / perRow) * 100 }]));
}

export interface LayoutProgress {
  /** Nodes being placed, and whether it is a whole layout (nothing to show yet) or newcomers. */
  nodes: number;
  full: boolean;
}

export interface TopologyLayout {
  /** Positions of the current grouping mode, by graph id. Mutated only by layouts of unplaced nodes, drags and re-layout. */
  positions: PositionMap;
  /** Bumped whenever positions change. */
  version: number;
  pending: LayoutProgress | null;
  error: string | null;
  relayout(): void;
  /** A drag ended: these nodes now sit here (a collapsed group carries its members along). */
  move(moves: ReadonlyMap<string, Point>): void;
}

/**
 * Positions for the map. Nothing ever moves by itself: a status or metric change does not touch
 * positions; newcomers (a new service, an expanded group, a grouping never laid out) are placed
 * around what is there (`placeBlocks`); only "Re-layout" lays everything out again. ELK runs in a
 * web worker, one request at a time; a re-layout makes results of older requests stale.
 */
export function useTopologyLayout(
  mode: GroupMode,
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  groups: ReadonlyMap<string, GroupSummary>,
  /** False until the inputs are complete enough to place anything (the first call statistics). */
  ready = true,
): TopologyLayout {
  const byMode = useRef(new Map<GroupMode, PositionMap>());
  const running = useRef(false);
  const generation = useRef(0);
  const [version, setVersion] = useState(0);
  const [pending, setPending] = useState<LayoutProgress | null>(null);
  const [error, setError] = useState<string | null>(null);

  let positions = byMode.current.get(mode);
  if (!positions) {
    positions = typeof window === 'undefined' ? new Map<string, Point>() : loadPositions(storage(), mode);
    byMode.current.set(mode, positions);
  }
  const current = positions;

  useEffect(() => {
    void layoutEngine().catch(() => undefined);
  }, []);

  useEffect(() => {
    if (running.current || !ready) return;
    // A collapsed group whose members have places takes the top-left of their area: collapsing moves nothing else.
    let changed = false;
    for (const node of nodes) {
      if (current.has(node.id) || !node.id.startsWith('g:')) continue;
      const summary = groups.get(node.id.slice(2));
      const member = boundsOf(
        (summary?.members ?? []).flatMap((name) => {
          const p = current.get(nodeGraphId(name));
          return p ? [{ ...p, width: 0, height: 0 }] : [];
        }),
      );
      if (member) {
        current.set(node.id, { x: member.x, y: member.y });
        changed = true;
      }
    }
    const unplaced = nodes.filter((node) => !current.has(node.id));
    if (unplaced.length === 0) {
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

    const sizes = new Map(nodes.map((node) => [node.id, node]));
    const anchorOf = (key: string): Point | undefined => {
      const members = (groups.get(key)?.members ?? []).flatMap((name) => {
        const id = nodeGraphId(name);
        const p = current.get(id);
        const size = p && sizes.get(id);
        return p && size ? [{ ...p, width: size.width, height: size.height }] : [];
      });
      const box = boundsOf(members);
      return box ? { x: box.x, y: box.y + box.height + 40 } : current.get(groupGraphId(key));
    };

    const run = async (): Promise<PositionMap> => {
      let layout: LayoutEngine | undefined;
      try {
        layout = await layoutEngine();
      } catch {
        layout = undefined;
      }
      if (full) {
        if (!layout) return gridFallback(nodes, { x: 0, y: 0 });
        return layout.layout({ nodes, edges });
      }
      const blocks: Block[] = [];
      for (const block of blocksToPlace(unplaced, edges)) {
        const first = block.nodes[0];
        let relative: PositionMap;
        if (block.nodes.length === 1 && first) relative = new Map([[first.id, { x: 0, y: 0 }]]);
        else if (!layout) relative = gridFallback(block.nodes, { x: 0, y: 0 });
        else {
          const ids = new Set(block.nodes.map((node) => node.id));
          relative = await layout.layout({
            nodes: block.nodes.map(({ id, width, height }) => ({ id, width, height })),
            edges: edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to)),
          });
        }
        blocks.push({ ...block, relative });
      }
      return placeBlocks(blocks, current, nodes, edges, anchorOf);
    };

    const startedAt = performance.now();
    run()
      .then((placed) => {
        if (started !== generation.current) return;
        performance.measure(full ? LAYOUT_MEASURE : PLACEMENT_MEASURE, { start: startedAt, detail: { nodes: unplaced.length } });
        for (const [id, p] of placed) current.set(id, p);
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
    clearPositions(storage(), mode);
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
      setVersion((v) => v + 1);
    },
    [current, groups, mode],
  );

  // A fresh map per change, so whatever depends on positions recomputes (the live one is mutated in place).
  const snapshot = useMemo(() => (version >= 0 ? new Map(current) : current), [current, version]);
  return { positions: snapshot, version, pending, error, relayout, move };
}
