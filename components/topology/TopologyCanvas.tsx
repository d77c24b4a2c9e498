'use client';

import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent as ReactMouseEvent, type SyntheticEvent } from 'react';
import {
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
  type NodeChange,
  type NodeMouseHandler,
} from '@xyflow/react';
import { isArrowKey, nearestInDirection } from '@/lib/client/topology/nav';
import type { Point } from '@/lib/model/topology/layout';
import type { Rect } from '@/lib/model/topology/positions';
import { NODE_TYPES } from './nodes';
import { EdgeCanvas } from './EdgeCanvas';
import { OverviewCanvas } from './OverviewCanvas';
import type { MapEdge, MapNode } from './flow';
import { MapEdgeView } from './MapEdge';
import { boundsOf } from '@/lib/model/topology/positions';
import { detailBand, OVERVIEW_ZOOM, showsWhole, textScale } from './viewport';

const EDGE_TYPES = { default: MapEdgeView };

/**
 * Labels and then details are hidden once the text would be too small on screen to read even
 * enlarged (`detailBand`, by the on-screen size of text, not a fixed zoom): skipping them keeps
 * panning smooth. A big map also switches to the canvas overview below OVERVIEW_ZOOM, where mounting
 * its nodes would cost more than any detail gives.
 */
const zoomBand = (zoom: number, big: boolean): number => Math.max(detailBand(zoom), big && zoom < OVERVIEW_ZOOM ? 1 : 0);
const ZOOM_CLASSES = ['', 'is-far', 'is-far is-very-far'];

/**
 * From this many nodes (or twice as many edges), zooming out below OVERVIEW_ZOOM switches to the canvas
 * overview, and only nodes and edges in view are in the DOM when zoomed in.
 */
export const OVERVIEW_MIN_NODES = 300;
export const MIN_ZOOM = 0.02;
const OVERVIEW_START = { x: 0, y: 0, zoom: MIN_ZOOM };
const NO_EDGES: MapEdge[] = [];

const MINIMAP_COLOURS: Record<string, string> = {
  passing: 'var(--passing)',
  warning: 'var(--warning)',
  critical: 'var(--critical)',
  unknown: 'var(--unknown)',
};

function minimapColour(node: MapNode): string {
  if (node.type === 'frame') return 'transparent';
  return MINIMAP_COLOURS[node.data.status] ?? 'var(--unknown)';
}

/** How long after the last pan/zoom event the viewport stops being a composited layer (and re-rasters crisply). */
const SETTLE_MS = 180;

export interface TopologyCanvasProps {
  nodes: MapNode[];
  edges: MapEdge[];
  rects: ReadonlyMap<string, Rect>;
  colorMode: 'dark' | 'light';
  className: string;
  /** Graph id of the selection ('' for none), and whether a search dims what it does not match. */
  selected: string;
  searching: boolean;
  /** A graph id; '' clears the selection. */
  onSelect(id: string): void;
  onToggleGroup(key: string): void;
  onDrag(moves: Map<string, Point> | null, done: boolean): void;
  /** Set while the user pans, zooms or drags: live updates wait meanwhile. */
  interacting: { current: boolean };
  /** The user moved the view (pan, zoom, a zoom button, the minimap, a key taking a node into view): a fit is no longer theirs to redo. */
  onMovedByHand(): void;
  /** The zoom controls' fit button: fits as the toolbar's Fit does. */
  onFit(): void;
}

/**
 * The React Flow canvas: draws what it is given, reports clicks, drags and keys. Keyboard: Tab
 * walks the nodes in reading order, arrows move to the nearest node that way, Enter opens the
 * node's panel, Escape closes it.
 */
export function TopologyCanvas({ nodes, edges, rects, colorMode, className, selected, searching, onSelect, onToggleGroup, onDrag, interacting, onMovedByHand, onFit }: TopologyCanvasProps) {
  const flow = useReactFlow<MapNode, MapEdge>();
  const store = useStoreApi<MapNode, MapEdge>();
  // The zoom band (level of detail; on a big map, the overview canvas or the nodes) follows the
  // zoom, except that while the user zooms in it waits for the gesture to rest: crossing into a
  // closer band mounts the nodes in view and restyles the rest, 150–350 ms at 1,000 services, and
  // the canvases are stretched meanwhile. Zooming out, the farther band is taken at once: staying
  // closer would mount every node that comes into view, frame after frame.
  const big = nodes.length > OVERVIEW_MIN_NODES || edges.length > 2 * OVERVIEW_MIN_NODES;
  const [band, setBand] = useState(() => zoomBand(store.getState().transform[2], big));
  const gesture = useRef(false);
  const container = useRef<HTMLDivElement>(null);
  const takeUpZoom = useCallback(
    (settled: boolean) => {
      const zoomNow = store.getState().transform[2];
      const next = zoomBand(zoomNow, big);
      setBand((current) => (settled || !gesture.current || next > current ? next : current));
      // Details grow as the map shrinks, so they stay legible on screen (viewport.ts); a style
      // variable, not state: zooming re-renders nothing.
      const scale = textScale(zoomNow);
      container.current?.style.setProperty('--detail-scale', String(scale));
      // Enlarged at all, a node's chip line keeps only the chips that fit at the largest scale (chip-fit.ts).
      container.current?.toggleAttribute('data-detail-enlarged', scale > 1);
    },
    [store, big],
  );
  useEffect(() => {
    takeUpZoom(true);
    return store.subscribe((state, previous) => {
      if (state.transform[2] !== previous.transform[2]) takeUpZoom(false);
    });
  }, [store, takeUpZoom]);
  const zoom = ZOOM_CLASSES[band] ?? '';
  // Far out a big map is drawn by the canvas overview.
  const overview = big && zoom.includes('is-far');
  // Zoomed in on a big map, the edges are painted on a canvas beneath the nodes; only the
  // selection's own edges stay SVG (highlighted, above the others).
  const canvasEdges = big && !overview;
  const [svgEdges, paintedEdges] = useMemo(() => {
    if (!big) return [edges, NO_EDGES];
    const active = edges.filter((edge) => edge.className?.includes('is-active'));
    return [active, active.length === 0 ? edges : edges.filter((edge) => !edge.className?.includes('is-active'))];
  }, [big, edges]);
  const drag = useRef<Map<string, Point> | null>(null);
  // The minimap only while part of the map is out of view (viewport.ts, `showsWhole`): a boolean
  // from the store, so panning re-renders nothing until it flips.
  const bounds = useMemo(() => boundsOf(rects.values()), [rects]);
  const wholeInView = useStore((state) => bounds === undefined || showsWhole(bounds, { x: state.transform[0], y: state.transform[1], zoom: state.transform[2] }, state.width, state.height));

  const focusNode = useCallback(
    (id: string) => {
      const element = container.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
      const rect = rects.get(id);
      if (!element || !rect) return;
      element.focus({ preventScroll: true });
      const { x, y, zoom: scale } = flow.getViewport();
      const bounds = container.current?.getBoundingClientRect();
      if (!bounds) return;
      const left = rect.x * scale + x;
      const top = rect.y * scale + y;
      const outside = left < 0 || top < 0 || left + rect.width * scale > bounds.width || top + rect.height * scale > bounds.height;
      if (!outside) return;
      onMovedByHand();
      void flow.setCenter(rect.x + rect.width / 2, rect.y + rect.height / 2, { zoom: Math.max(scale, 0.6), duration: 0 });
    },
    [flow, rects, onMovedByHand],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const nodeElement = target?.closest<HTMLElement>('.react-flow__node');
      if (event.key === 'Escape') {
        onSelect('');
        return;
      }
      if (!nodeElement || nodeElement !== target) return;
      const id = nodeElement.dataset.id ?? '';
      if (isArrowKey(event.key)) {
        event.preventDefault();
        const next = nearestInDirection(id, event.key, rects);
        if (next) focusNode(next);
      } else if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        onSelect(id);
      } else if ((event.key === '+' || event.key === '-') && id.startsWith('g:')) {
        event.preventDefault();
        onToggleGroup(id.slice(2));
      }
    },
    [focusNode, onSelect, onToggleGroup, rects],
  );

  // On the overview React Flow keeps the nodes (for fitting and picking) but draws none of them:
  // mounting a thousand node components would cost half a second for nothing seen.
  const flowNodes = useMemo(() => (overview ? nodes.map((node) => ({ ...node, hidden: true })) : nodes), [overview, nodes]);

  const onNodesChange = useCallback(
    (changes: NodeChange<MapNode>[]) => {
      let moved = false;
      let done = false;
      for (const change of changes) {
        if (change.type !== 'position' || !change.position) {
          if (change.type === 'position' && change.dragging === false) done = true;
          continue;
        }
        drag.current ??= new Map();
        drag.current.set(change.id, change.position);
        moved = true;
        if (change.dragging === false) done = true;
      }
      if (done) {
        onDrag(drag.current, true);
        drag.current = null;
      } else if (moved && drag.current) onDrag(new Map(drag.current), false);
    },
    [onDrag],
  );

  const onNodeClick: NodeMouseHandler<MapNode> = useCallback(
    (_event, node) => {
      if (node.type !== 'frame') onSelect(node.id);
    },
    [onSelect],
  );
  const onNodeDoubleClick: NodeMouseHandler<MapNode> = useCallback(
    (_event, node) => {
      if (node.type === 'cluster') onToggleGroup(node.data.key);
    },
    [onToggleGroup],
  );
  const onPaneClick = useCallback(
    (event: ReactMouseEvent) => {
      if (!overview) {
        onSelect('');
        return;
      }
      // On the canvas overview, a click picks the box under it and zooms to it.
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const slack = 6 / flow.getZoom();
      const hit = [...rects].find(([, r]) => point.x >= r.x - slack && point.x <= r.x + r.width + slack && point.y >= r.y - slack && point.y <= r.y + r.height + slack);
      if (!hit) {
        onSelect('');
        return;
      }
      const [id, r] = hit;
      onSelect(id);
      onMovedByHand();
      void flow.setCenter(r.x + r.width / 2, r.y + r.height / 2, { zoom: 0.8, duration: 0 });
    },
    [overview, flow, rects, onSelect, onMovedByHand],
  );

  // While the viewport moves it is its own compositor layer: panning then moves pixels already
  // drawn instead of redrawing thousands of nodes and edges each frame (measured: 2.3 s of raster
  // work in a 2.5 s pan of 1,000 nodes without it). Afterwards the layer goes, so text re-rasters sharp.
  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // `event` is null when the code moves the view (fit, centring on a node): those take effect at once.
  const onMoveStart = useCallback(
    (event: MouseEvent | TouchEvent | null) => {
      clearTimeout(settle.current);
      interacting.current = true;
      if (event) gesture.current = true;
      container.current?.classList.add('is-moving');
    },
    [interacting],
  );
  // A move with an event is the user's; one without is the code's (and a press without a drag moves nothing).
  const onMove = useCallback(
    (event: MouseEvent | TouchEvent | null) => {
      if (event) onMovedByHand();
    },
    [onMovedByHand],
  );
  // The minimap moves the view through React Flow's zoom with no event, as the code's moves do: a
  // press or wheel on it is the user's (a view panned there was undone by the next resize).
  const onMinimapInput = useCallback(
    (event: SyntheticEvent) => {
      if (event.target instanceof Element && event.target.closest('.react-flow__minimap')) onMovedByHand();
    },
    [onMovedByHand],
  );
  const onMoveEnd = useCallback(() => {
    clearTimeout(settle.current);
    settle.current = setTimeout(() => {
      interacting.current = false;
      gesture.current = false;
      container.current?.classList.remove('is-moving');
      takeUpZoom(true);
    }, SETTLE_MS);
  }, [interacting, takeUpZoom]);

  return (
    <div className={`topology__canvas ${className} ${zoom}${overview ? ' is-overview' : ''}${interacting.current ? ' is-moving' : ''}`} ref={container} onKeyDown={onKeyDown} onPointerDownCapture={onMinimapInput} onWheelCapture={onMinimapInput}>
      <ReactFlow<MapNode, MapEdge>
        nodes={flowNodes}
        // The overview canvas draws the edges; React Flow would otherwise re-run a selector per edge on every frame.
        edges={overview ? NO_EDGES : svgEdges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        onNodesChange={onNodesChange}
        onNodeClick={onNodeClick}
        onNodeDoubleClick={onNodeDoubleClick}
        onPaneClick={onPaneClick}
        onMoveStart={onMoveStart}
        onMove={onMove}
        onMoveEnd={onMoveEnd}
        onNodeDragStart={onMoveStart}
        onNodeDragStop={onMoveEnd}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        disableKeyboardA11y
        deleteKeyCode={null}
        selectionKeyCode={null}
        multiSelectionKeyCode={null}
        nodeDragThreshold={4}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        // A big map opens at overview zoom until it is fitted (next frame): opened at 100 %, it
        // first mounted the nodes in view, to drop them for the overview a frame later.
        defaultViewport={big ? OVERVIEW_START : undefined}
        colorMode={colorMode}
        attributionPosition="top-right"
        aria-label="Service topology map"
        // Zoomed in on a big map, only what is in view is in the DOM.
        onlyRenderVisibleElements={big}
      >
        <EdgeCanvas active={canvasEdges} edges={paintedEdges} rects={rects} alpha={searching ? 0.2 : selected !== '' ? 0.5 : 1} colorMode={colorMode} />
        <OverviewCanvas active={overview} nodesFrom={OVERVIEW_ZOOM} nodes={nodes} edges={edges} rects={rects} selected={selected} dimOthers={searching} colorMode={colorMode} />
        {/* Not on the overview, which shows the whole map (and hides React Flow's nodes, which the
            minimap would skip): kept there, it re-rendered and ran a selector per node on every frame. */}
        {!overview && !wholeInView && <MiniMap<MapNode> pannable zoomable nodeColor={minimapColour} nodeStrokeWidth={0} ariaLabel="Minimap" />}
        <Controls showInteractive={false} position="bottom-left" onZoomIn={onMovedByHand} onZoomOut={onMovedByHand} onFitView={onFit} />
      </ReactFlow>
    </div>
  );
}
