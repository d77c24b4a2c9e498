'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow, useStoreApi } from '@xyflow/react';
import { FORMATS, STATUSES, type Format, type Status } from '@/lib/model/instance';
import type { FacetValue } from '@/lib/model/filter';
import { compareStatusWorstFirst } from '@/lib/model/health';
import type { EdgeStats } from '@/lib/model/latency';
import { deriveTopologyFromSummaries, isFailing, namespaceOf, type TopologyNode } from '@/lib/model/topology/topology';
import { nextResidueExpiry, probableOrigins, recentRecoveries } from '@/lib/model/topology/graph';
import { sharedDeparture } from '@/lib/model/topology/shared-departure';
import { utcClock } from '@/lib/model/status/clock';
import { buildViewGraph, groupGraphId, nodeGraphId } from '@/lib/model/topology/group';
import {
  effectiveGrouping,
  isGroupCollapsed,
  matchesSearch,
  searchTextOf,
  toggleGroup,
  visibleNodes,
  type TopologyViewState,
} from '@/lib/model/topology/view';
import { useObservedEdges } from '@/lib/client/topology/edges';
import type { LayoutEdge, LayoutNode, Point } from '@/lib/model/topology/layout';
import { layoutInputOf } from '@/lib/model/topology/layout-input';
import type { PrecomputedLayout } from '@/lib/model/topology/place';
import { boundsOf } from '@/lib/model/topology/positions';
import { useTopologyLayout } from '@/lib/client/topology/layout-state';
import { useTopologyView } from '@/lib/client/topology/view-url';
import { refreshIntervalFor, usePacedValue } from '@/lib/client/topology/pace';
import { useTheme } from '@/lib/client/useTheme';
import { useServiceView } from '@/lib/client/liveViews';
import { useServiceSearch } from '@/lib/client/useServiceSearch';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { useLive } from '../live/LiveProvider';
import { EmptyState } from '../ui/EmptyState';
import { buildFlow, flappingDeadlines, newRouteMemo, originMarks, type MapEdge, type MapNode } from './flow';
import { TopologyActionsContext, type TopologyActions } from './nodes';
import { OriginNotice } from './OriginNotice';
import { MIN_ZOOM, TopologyCanvas } from './TopologyCanvas';
import { TopologyLegend } from './TopologyLegend';
import { TopologyPanel, type DrainControlsSlot } from './TopologyPanel';
import { TopologyToolbar, type TopologyFacets } from './TopologyToolbar';
import { centredNote, NO_PHONE_START, originToCentre, originToStartOn, phoneStartCentredOn, phoneStartLeft, phoneStartOn, phoneStartResized, type PhoneStart } from './phone-start';
import { fitViewport, resizedMaterially, showsWhole, type CanvasSize } from './viewport';
import { serverNow } from '@/lib/client/serverClock';
import { useLastPassed } from '@/lib/client/useBefore';

const NARROW_MAX_WIDTH = 640;

/** Marks the first time the map has nodes on screen (read by bench/topology.ts). */
export const FIRST_DRAW_MARK = 'switchyard:topology-drawn';

function facet<T extends string>(values: Iterable<T>, order?: readonly T[]): FacetValue<T>[] {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const keys = order ? order.filter((value) => counts.has(value)) : [...counts.keys()].sort();
  return keys.map((value) => ({ value, count: counts.get(value) ?? 0 }));
}

function facetsOf(nodes: readonly TopologyNode[]): TopologyFacets {
  const services = nodes.filter((node) => node.kind === 'service');
  return {
    statuses: facet<Status>(
      services.map((node) => node.status),
      STATUSES,
    ),
    zones: facet(services.flatMap((node) => node.zones)),
    namespaces: facet(services.map((node) => namespaceOf(node.id))),
    formats: facet<Format>(
      services.flatMap((node) => node.formats),
      FORMATS,
    ),
  };
}

/** Keeps the previous layout input while the graph's structure is the same, so the layout effect sees no change on a status update. */
function useStableLayoutInput(input: { nodes: LayoutNode[]; edges: LayoutEdge[] }): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const previous = useRef(input);
  const last = previous.current;
  const same =
    last === input ||
    (last.nodes.length === input.nodes.length &&
      last.edges.length === input.edges.length &&
      last.nodes.every((node, i) => {
        const other = input.nodes[i];
        return other !== undefined && other.id === node.id && other.width === node.width && other.height === node.height && other.group === node.group;
      }) &&
      last.edges.every((edge, i) => edge.id === input.edges[i]?.id));
  if (!same) previous.current = input;
  return previous.current;
}

export interface TopologyViewProps {
  /** Drain controls per instance in the side panel, once the drain feature provides them. */
  drainControls?: DrainControlsSlot;
  /** Observed edges rendered with the page, so the first layout does not wait for a poll. */
  initialObserved?: EdgeStats[];
  /** The server's layout of the default view: where a browser without stored positions starts. */
  initialLayout?: PrecomputedLayout;
  /** An empty fleet's example, `etcdctl --endpoints=… put <key>`: the server's etcd, under a prefix it watches. */
  examplePut: string;
}

/** The failing node to open a phone's map on when no origin is known: the worst status first (the first of equals). */
function worstFailing(nodes: readonly TopologyNode[], failing: ReadonlySet<string>): string | undefined {
  let worst: TopologyNode | undefined;
  for (const node of nodes) if (failing.has(node.id) && (!worst || compareStatusWorstFirst(node.status, worst.status) < 0)) worst = node;
  return worst?.id;
}

/** The home page: the fleet as a live graph. */
export function TopologyView(props: TopologyViewProps) {
  return (
    <ReactFlowProvider>
      <TopologyMap {...props} />
    </ReactFlowProvider>
  );
}

function TopologyMap({ drainControls, initialObserved, initialLayout, examplePut }: TopologyViewProps) {
  const live = useLive();
  const { state } = live;
  const interacting = useRef(false);
  const isInteracting = useCallback(() => interacting.current, []);
  const services = usePacedValue(live.summaries, refreshIntervalFor(live.summaries.length), isInteracting);
  const [view, update] = useTopologyView();
  const observed = useObservedEdges(initialObserved);
  const { theme } = useTheme();
  const flowApi = useReactFlow<MapNode, MapEdge>();
  const [legendOpen, setLegendOpen] = useState(false);
  const [dragging, setDragging] = useState<Map<string, Point> | null>(null);
  // Entering focus mode or changing its reach fits the map to the neighbourhood once it is drawn.
  const [refit, setRefit] = useState(false);

  const topology = useMemo(() => deriveTopologyFromSummaries(services, observed.edges), [services, observed.edges]);
  const nodeById = useMemo(() => new Map(topology.nodes.map((node) => [node.id, node])), [topology]);
  const failing = useMemo(() => new Set(topology.nodes.filter(isFailing).map((node) => node.id)), [topology]);
  // Asked again when a recent recovery stops counting (no clock ticking through the map's renders).
  const [residueExpiredAt, setResidueExpiredAt] = useState(0);
  const origins = useMemo(() => probableOrigins(topology, { now: Math.max(serverNow(), residueExpiredAt) }), [topology, residueExpiredAt]);
  useEffect(() => {
    const expiry = nextResidueExpiry(topology, serverNow());
    if (expiry === null) return;
    const timer = setTimeout(() => setResidueExpiredAt(serverNow()), expiry - serverNow() + 100);
    return () => clearTimeout(timer);
  }, [topology, residueExpiredAt]);
  // Origins passing again while their callers clear their errors are marked as having been one, not as a current failure.
  const { origins: originIds, recoveredOrigins } = useMemo(() => originMarks(origins), [origins]);
  const local = useLocalTimes();
  const clock = useCallback((iso: string) => local(utcClock(iso), iso), [local]);
  const departure = useMemo(() => sharedDeparture(topology, state.registry), [topology, state.registry]);
  // Asked at the same moments as the origins: a recovery stops counting when its residue does.
  const recovered = useMemo(() => new Set(recentRecoveries(topology, Math.max(serverNow(), residueExpiredAt)).keys()), [topology, residueExpiredAt]);
  const facets = useMemo(() => facetsOf(topology.nodes), [topology]);
  // The flow again as a flap ends: its node's label stops saying "flapping", its group stops counting it.
  const flapEnded = useLastPassed(useMemo(() => flappingDeadlines(topology.nodes), [topology]));

  const { mode, autoCollapse } = effectiveGrouping(view, topology.nodes.length);
  const { collapsed, expanded } = view;
  const isCollapsed = useCallback((key: string) => isGroupCollapsed({ collapsed, expanded }, autoCollapse, key), [collapsed, expanded, autoCollapse]);
  const graph = useMemo(() => buildViewGraph(topology, mode, isCollapsed), [topology, mode, isCollapsed]);
  const layoutInput = useStableLayoutInput(useMemo(() => layoutInputOf(graph, nodeById), [graph, nodeById]));
  // The view the code last set (a fit, or a node centred), redone when the canvas changes size —
  // a window narrowed, a phone turned, the panel opened — until the user moves the view by hand.
  const redoOnResize = useRef<{ fit: string[] | undefined } | { centre: string } | null>(null);
  // The canvas' size when the code last set the view: a material change from it redoes the view.
  const viewSetAt = useRef<CanvasSize>({ width: 0, height: 0 });
  // Moved by hand since the code last set the view (before the first fit, it is the code's to set),
  // and a node being dragged: a whole layout adopted then would move the map out from under the reader.
  const viewMovedByHand = useRef(false);
  const dragUnderWay = useRef(false);
  // A phone's view still the one its first draw chose during an outage (or its later moves to an
  // origin), and what it centred on: an origin found after it is centred on once (phone-start.ts).
  const phoneStart = useRef<PhoneStart>(NO_PHONE_START);
  const viewIsOurs = useCallback(() => !viewMovedByHand.current && !dragUnderWay.current, []);
  const layout = useTopologyLayout(mode, layoutInput.nodes, layoutInput.edges, graph.groups, observed.settled, initialLayout, viewIsOurs);

  const { status, zone, namespace, format, focus, hops } = view;
  const visibility = useMemo(
    () => visibleNodes(topology, { status, zone, namespace, format }, focus !== '' ? { id: focus, hops } : undefined),
    [topology, status, zone, namespace, format, focus, hops],
  );
  const searchIndex = useMemo(() => topology.nodes.map((node) => ({ id: node.id, text: searchTextOf(node, undefined) })), [topology]);
  // Names match here; instance ids, addresses and metadata values are matched by the server.
  const searchHits = useServiceSearch(view.search);
  const matches = useMemo(
    () =>
      view.search.trim() === ''
        ? null
        : new Set(searchIndex.filter((entry) => matchesSearch(entry.text, view.search) || (searchHits?.has(entry.id) ?? false)).map((entry) => entry.id)),
    [searchIndex, view.search, searchHits],
  );

  const graphIdOf = useCallback(
    (name: string): string => {
      const key = graph.memberOf.get(name);
      return key !== undefined && isCollapsed(key) ? groupGraphId(key) : nodeGraphId(name);
    },
    [graph, isCollapsed],
  );
  const selectedId = view.group !== '' ? groupGraphId(view.group) : view.node !== '' ? graphIdOf(view.node) : '';

  const cache = useRef(new Map<string, MapNode | MapEdge>());
  const routes = useRef(newRouteMemo());
  const flow = useMemo(() => {
    const built = buildFlow(
      {
        graph,
        nodeById,
        positions: layout.positions,
        visible: visibility.visible,
        ...(visibility.focus ? { focus: visibility.focus } : {}),
        failing,
        origins: originIds,
        recoveredOrigins,
        matches,
        selected: selectedId,
        recovered,
        groupMode: mode,
        ...(dragging ? { dragging } : {}),
        nowMs: Math.max(serverNow(), flapEnded),
        clock,
      },
      cache.current,
      routes.current,
    );
    cache.current = new Map<string, MapNode | MapEdge>([...built.nodes.map((n) => [n.id, n] as const), ...built.edges.map((e) => [e.id, e] as const)]);
    return built;
  }, [graph, nodeById, layout.positions, visibility, failing, originIds, matches, selectedId, recovered, recoveredOrigins, mode, dragging, flapEnded, clock]);

  // Viewport: fitted once when the map first has nodes, then on request and when the canvas changes size.
  const [drawn, setDrawn] = useState(false);
  // Fitted to our own rectangles: React Flow's fitView only counts nodes it has measured, and on
  // big maps only what is in view is rendered (and measured).
  const storeApi = useStoreApi();
  const onMovedByHand = useCallback(() => {
    redoOnResize.current = null;
    viewMovedByHand.current = true;
    phoneStart.current = phoneStartLeft(phoneStart.current);
  }, []);
  const fitTo = useCallback(
    (ids?: string[]) => {
      redoOnResize.current = { fit: ids };
      viewMovedByHand.current = false;
      phoneStart.current = phoneStartLeft(phoneStart.current);
      const rects = ids ? ids.flatMap((id) => flow.rects.get(id) ?? []) : [...flow.rects.values()];
      const { width, height } = storeApi.getState();
      viewSetAt.current = { width, height };
      // Only the zoom controls can be in the way of a fitted map (viewport.ts); on a phone a whole map is a strip across the middle, clear of them.
      const viewport = fitViewport(rects, width, height, { minZoom: MIN_ZOOM, maxZoom: 1, withOverlays: width > NARROW_MAX_WIDTH });
      if (viewport) void flowApi.setViewport(viewport, { duration: 0 });
    },
    [flow.rects, flowApi, storeApi],
  );
  const centerOn = useCallback(
    (graphId: string) => {
      const rect = flow.rects.get(graphId);
      if (!rect) return;
      redoOnResize.current = { centre: graphId };
      const { width, height } = storeApi.getState();
      viewSetAt.current = { width, height };
      viewMovedByHand.current = false;
      phoneStart.current = phoneStartLeft(phoneStart.current);
      // Two frames on: a selection opens the panel, which takes the map's side (or, on a phone, its
      // lower half); centred before that, the node ended up under the panel.
      requestAnimationFrame(() =>
        requestAnimationFrame(() => void flowApi.setCenter(rect.x + rect.width / 2, rect.y + rect.height / 2, { zoom: Math.max(flowApi.getZoom(), 0.8), duration: 0 })),
      );
    },
    [flow.rects, flowApi, storeApi],
  );
  const redoLastView = useCallback(() => {
    const redo = redoOnResize.current;
    if (redo === null) return;
    // The same view again: still the phone's first one if it was.
    const startView = phoneStart.current;
    if ('fit' in redo) fitTo(redo.fit);
    else centerOn(redo.centre);
    phoneStart.current = startView;
  }, [fitTo, centerOn]);
  // Redone when what it showed no longer is, or the canvas changed size materially since
  // (viewport.ts, `resizedMaterially`): a map fitted on a phone, all in view once the window was
  // widened again, stayed a quarter the size a fresh load draws. Not for a notice appearing above
  // the map: refitting then moved every node under the reader's eyes as an outage began.
  const lastViewStillShown = useCallback(() => {
    const redo = redoOnResize.current;
    if (redo === null) return true;
    const rects = 'centre' in redo ? [flow.rects.get(redo.centre)].flatMap((rect) => rect ?? []) : redo.fit ? redo.fit.flatMap((id) => flow.rects.get(id) ?? []) : [...flow.rects.values()];
    const bounds = boundsOf(rects);
    const { width, height } = storeApi.getState();
    return bounds === undefined || showsWhole(bounds, flowApi.getViewport(), width, height);
  }, [flow.rects, flowApi, storeApi]);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = storeApi.subscribe((state, previous) => {
      if (state.width === previous.width && state.height === previous.height) return;
      phoneStart.current = phoneStartResized(phoneStart.current, state.width, NARROW_MAX_WIDTH);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (!lastViewStillShown() || resizedMaterially(viewSetAt.current, storeApi.getState(), NARROW_MAX_WIDTH)) redoLastView();
      });
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [storeApi, redoLastView, lastViewStillShown]);
  // A whole layout adopted for new calls moves every node: the view is redone on it as on a resize
  // (kept when moved by hand), or the fitted map was left half outside the canvas.
  const viewRedoneFor = useRef(0);
  useEffect(() => {
    if (layout.adopted === viewRedoneFor.current) return;
    viewRedoneFor.current = layout.adopted;
    redoLastView();
  }, [layout.adopted, redoLastView]);
  // A phone's first view during an outage: centred on where it starts, legible, until asked for the whole map.
  const [centredOn, setCentredOn] = useState<string | null>(null);
  const fitAll = useCallback(() => {
    setCentredOn(null);
    fitTo(view.focus !== '' ? [...flow.rects.keys()] : undefined);
  }, [fitTo, flow.rects, view.focus]);
  useEffect(() => {
    if (drawn || flow.nodes.length === 0 || layout.pending?.full) return;
    let frame = requestAnimationFrame(() => {
      // On a phone the whole map is specks; during an outage it opens on the likely origin (else the first failing service).
      const narrow = storeApi.getState().width <= NARROW_MAX_WIDTH;
      const start = narrow ? (originToStartOn(origins) ?? worstFailing(topology.nodes, failing)) : undefined;
      if (selectedId !== '' && flow.rects.has(selectedId)) centerOn(selectedId);
      else if (visibility.focus) fitTo([...flow.rects.keys()]);
      else if (start !== undefined && flow.rects.has(graphIdOf(start))) {
        centerOn(graphIdOf(start));
        setCentredOn(start);
        phoneStart.current = phoneStartOn(start, phoneStart.current);
      } else {
        fitTo();
        if (narrow) phoneStart.current = phoneStartOn(undefined, phoneStart.current);
      }
      // The frame after next: the fitted map has been painted by then.
      frame = requestAnimationFrame(() => {
        frame = requestAnimationFrame(() => {
          performance.mark(FIRST_DRAW_MARK);
          setDrawn(true);
        });
      });
    });
    return () => cancelAnimationFrame(frame);
  }, [drawn, flow, layout.pending, selectedId, visibility.focus, centerOn, fitTo, storeApi, origins, topology.nodes, failing, graphIdOf]);

  // An origin found after the phone's first view (centred then on the first failing service, or on
  // the whole map): the reader woken at 3 a.m. needs it on screen, under its banner. Each origin once,
  // and not once they moved the map, chose a node or asked for the whole map.
  const firstOrigin = originToStartOn(origins);
  useEffect(() => {
    const origin = drawn && selectedId === '' ? originToCentre(phoneStart.current, firstOrigin) : undefined;
    if (origin === undefined) return;
    const id = graphIdOf(origin);
    if (!flow.rects.has(id)) return;
    centerOn(id);
    phoneStart.current = phoneStartCentredOn(phoneStart.current, origin);
    setCentredOn(origin);
  }, [drawn, selectedId, firstOrigin, graphIdOf, flow.rects, centerOn]);

  const select = useCallback(
    (graphId: string) => {
      phoneStart.current = phoneStartLeft(phoneStart.current);
      if (graphId === '') update({ node: '', group: '' });
      else if (graphId.startsWith('g:')) update({ group: graphId.slice(2), node: '' });
      else if (graphId.startsWith('n:')) update({ node: graphId.slice(2), group: '' });
    },
    [update],
  );
  const selectByName = useCallback(
    (name: string) => {
      update({ node: name, group: '' });
      const id = graphIdOf(name);
      if (flow.rects.has(id)) centerOn(id);
    },
    [update, graphIdOf, flow.rects, centerOn],
  );
  const onToggleGroup = useCallback((key: string) => update(toggleGroup(view, autoCollapse, key)), [update, view, autoCollapse]);
  const actions = useMemo<TopologyActions>(() => ({ toggleGroup: onToggleGroup }), [onToggleGroup]);
  const { move } = layout;
  const onDrag = useCallback(
    (moves: Map<string, Point> | null, done: boolean) => {
      dragUnderWay.current = !done;
      if (!done) setDragging(moves);
      else {
        if (moves) move(moves);
        setDragging(null);
      }
    },
    [move],
  );

  // Enter in the search box walks through the matches, selecting and centring each.
  const searchCursor = useRef(-1);
  const onSearchNext = useCallback(
    (backwards: boolean) => {
      if (!matches || matches.size === 0) return;
      const ordered = flow.nodes.filter((node) => node.type !== 'frame' && (node.type === 'cluster' ? false : matches.has(node.data.name)));
      if (ordered.length === 0) return;
      searchCursor.current = (searchCursor.current + (backwards ? -1 : 1) + ordered.length) % ordered.length;
      const target = ordered[searchCursor.current];
      if (target) {
        select(target.id);
        centerOn(target.id);
      }
    },
    [matches, flow.nodes, select, centerOn],
  );

  const onFocus = useCallback(
    (id: string, hopCount: number) => {
      update({ focus: id, hops: hopCount });
      setRefit(true);
    },
    [update],
  );
  useEffect(() => {
    if (!refit) return;
    setRefit(false);
    const frame = requestAnimationFrame(() => fitTo(view.focus !== '' ? [...flow.rects.keys()] : undefined));
    return () => cancelAnimationFrame(frame);
  }, [refit, fitTo, flow.rects, view.focus]);

  const onChange = useCallback(
    (patch: Partial<TopologyViewState>) => {
      update(patch);
      if ('hops' in patch || ('focus' in patch && patch.focus === '')) setRefit(true);
    },
    [update],
  );

  const selectedNode = view.node !== '' ? nodeById.get(view.node) : undefined;
  // The panel lists the selected service's instances: its view is subscribed only while selected.
  const selectedService = useServiceView(selectedNode?.kind === 'service' ? selectedNode.id : '').service;
  const selectedGroup = view.group !== '' ? graph.groups.get(view.group) : undefined;
  const edgesIn = useMemo(() => (selectedNode ? topology.edges.filter((edge) => edge.to === selectedNode.id && edge.from !== edge.to) : []), [topology, selectedNode]);
  const edgesOut = useMemo(() => (selectedNode ? topology.edges.filter((edge) => edge.from === selectedNode.id && edge.from !== edge.to) : []), [topology, selectedNode]);
  const selectedOrigin = selectedNode ? origins.find((origin) => origin.id === selectedNode.id) : undefined;
  const causedBy = selectedNode ? origins.filter((origin) => origin.explains.includes(selectedNode.id)) : [];

  const canvasClass = [matches !== null && 'has-search', selectedId !== '' && 'has-selection', flow.nodes.length > 600 && 'is-large'].filter(Boolean).join(' ');

  if (topology.nodes.length === 0) {
    return state.registry.state !== 'synced' ? (
      <EmptyState title="Waiting for etcd">
        <p>The map appears as soon as Switchyard has read the registry; this page updates live.</p>
      </EmptyState>
    ) : (
      <EmptyState title="No services registered yet">
        <p>
          Services appear on the map the moment they register in etcd; declare what they call with <code>dependsOn</code>. For example:
        </p>
        <pre className="code">{`${examplePut} '{"address":"127.0.0.1:9001","dependsOn":["postgres"]}'`}</pre>
      </EmptyState>
    );
  }

  const panelOpen = selectedNode !== undefined || selectedGroup !== undefined;
  const centredWords = centredOn !== null ? centredNote(centredOn, { origins: originIds, recoveredOrigins }, failing, nodeById.get(centredOn)?.status, clock) : undefined;
  return (
    <TopologyActionsContext.Provider value={actions}>
      <div className="topology" data-ready={drawn ? 'true' : 'false'} data-nodes={flow.nodes.filter((node) => node.type !== 'frame').length} data-edges={flow.edges.length} data-groups={flow.nodes.filter((node) => node.type === 'cluster').length}>
        <TopologyToolbar
          view={view}
          facets={facets}
          mode={mode}
          autoGrouped={view.by === '' && mode !== 'none'}
          matches={matches === null ? null : matches.size}
          shown={visibility.visible.size}
          total={topology.nodes.length}
          legendOpen={legendOpen}
          onChange={onChange}
          onSearchNext={onSearchNext}
          onFit={fitAll}
          onRelayout={() => {
            setCentredOn(null);
            layout.relayout();
            setDrawn(false);
          }}
          backwardSinceLayout={layout.backwardSinceLayout}
          onToggleLegend={() => setLegendOpen((open) => !open)}
        />
        <OriginNotice origins={origins} departure={departure} onShow={selectByName} />
        {centredWords !== undefined && (
          <p className="topology__centred" role="status">
            {centredWords}{' '}
            <button type="button" className="link-button" onClick={fitAll}>
              Show the whole map
            </button>
          </p>
        )}
        <div className={`topology__body${panelOpen ? ' has-panel' : ''}`}>
          <div className="topology__stage">
            <TopologyCanvas
              nodes={flow.nodes}
              edges={flow.edges}
              rects={flow.rects}
              colorMode={theme === 'light' ? 'light' : 'dark'}
              className={canvasClass}
              selected={selectedId}
              searching={matches !== null}
              onSelect={select}
              onToggleGroup={onToggleGroup}
              onDrag={onDrag}
              interacting={interacting}
              onMovedByHand={onMovedByHand}
              onFit={fitAll}
            />
            {legendOpen && <TopologyLegend />}
            {layout.pending && (
              <p className="topology__progress" role="status">
                {layout.pending.full ? `Laying out ${layout.pending.nodes.toLocaleString('en')} nodes…` : `Placing ${layout.pending.nodes.toLocaleString('en')} new nodes…`}
              </p>
            )}
            {(observed.error || layout.error) && (
              <p className="topology__warning" role="status">
                {observed.error ? `Call statistics unavailable (${observed.error}); showing declared dependencies.` : `Layout failed (${layout.error}); nodes placed on a grid.`}
              </p>
            )}
            {view.node !== '' && !selectedNode && (
              <p className="topology__warning" role="status">
                {view.node} is not on the map right now.{' '}
                <button type="button" className="tpanel__inline-link" onClick={() => update({ node: '' })}>
                  Clear selection
                </button>
              </p>
            )}
          </div>
          {panelOpen && (
            <TopologyPanel
              {...(selectedNode ? { node: selectedNode } : {})}
              {...(selectedService ? { service: selectedService } : {})}
              {...(selectedGroup ? { group: { summary: selectedGroup, collapsed: isCollapsed(selectedGroup.key), mode } } : {})}
              nodeById={nodeById}
              edgesIn={edgesIn}
              edgesOut={edgesOut}
              {...(selectedOrigin ? { origin: selectedOrigin } : {})}
              causedBy={causedBy}
              focus={{ id: view.focus, hops: view.hops }}
              onFocus={onFocus}
              onSelect={selectByName}
              onToggleGroup={onToggleGroup}
              onClose={() => {
                const previous = selectedId;
                select('');
                requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(previous)}"]`)?.focus({ preventScroll: true }));
              }}
              {...(drainControls ? { drainControls } : {})}
            />
          )}
        </div>
      </div>
    </TopologyActionsContext.Provider>
  );
}
