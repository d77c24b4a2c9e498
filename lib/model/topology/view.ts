import { FORMATS, STATUSES, type Format, type Instance, type Status } from '../instance';
import { GROUP_MODES, type GroupMode } from './group';
import { adjacency, neighbourhood, type Reached } from './graph';
import { namespaceOf, type Topology, type TopologyNode } from './topology';

/**
 * What the map shows, as the URL carries it, so a shared link restores the view: the selection,
 * the search, the filters, focus mode and grouping.
 */
export interface TopologyViewState {
  /** Selected node (service or dependency name); '' for none. */
  node: string;
  /** Selected group key (a collapsed group's node); '' for none. */
  group: string;
  search: string;
  status: Status | '';
  zone: string;
  namespace: string;
  format: Format | '';
  /** Focus mode: the node at the centre, '' when off. */
  focus: string;
  hops: number;
  /** '' = automatic: none, or namespace above AUTO_GROUP_THRESHOLD services. */
  by: GroupMode | '';
  /** Groups collapsed by hand (when groups start expanded). */
  collapsed: string[];
  /** Groups expanded by hand (when groups start collapsed, above the threshold). */
  expanded: string[];
}

export const DEFAULT_HOPS = 1;
export const MAX_HOPS = 5;

export const DEFAULT_VIEW: TopologyViewState = {
  node: '',
  group: '',
  search: '',
  status: '',
  zone: '',
  namespace: '',
  format: '',
  focus: '',
  hops: DEFAULT_HOPS,
  by: '',
  collapsed: [],
  expanded: [],
};

/**
 * Above this many nodes the map groups by namespace and starts with every group collapsed: React
 * Flow stays smooth to about 1,000 DOM nodes (DESIGN §5), so 1,000 services are drawn one by one
 * and 5,000 are aggregated.
 */
export const AUTO_GROUP_THRESHOLD = 1_500;

function oneOf<T extends string>(allowed: readonly T[], value: string): T | undefined {
  return (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

const MAX_PARAM_CHARS = 512;
const MAX_LIST = 1_000;

export interface ParamsReader {
  get(name: string): string | null;
  getAll(name: string): string[];
}

/** Reads the view from URL search params; unknown or malformed values fall back to the defaults. */
export function parseTopologyView(params: ParamsReader): TopologyViewState {
  const param = (name: string): string => (params.get(name) ?? '').slice(0, MAX_PARAM_CHARS);
  const list = (name: string): string[] => [...new Set(params.getAll(name).filter((value) => value !== '' && value.length <= MAX_PARAM_CHARS))].slice(0, MAX_LIST);
  const hops = Number.parseInt(param('hops'), 10);
  return {
    node: param('node'),
    group: param('group'),
    search: param('q'),
    status: oneOf(STATUSES, param('status')) ?? '',
    zone: param('zone'),
    namespace: param('ns'),
    format: oneOf(FORMATS, param('format')) ?? '',
    focus: param('focus'),
    hops: Number.isInteger(hops) && hops >= 1 ? Math.min(hops, MAX_HOPS) : DEFAULT_HOPS,
    by: oneOf(GROUP_MODES, param('by')) ?? '',
    collapsed: list('collapsed'),
    expanded: list('expanded'),
  };
}

/** The inverse of parseTopologyView, leaving out defaults so links stay short. */
export function topologyViewToParams(view: TopologyViewState): [string, string][] {
  const params: [string, string][] = [];
  const add = (name: string, value: string): void => {
    if (value !== '') params.push([name, value]);
  };
  add('node', view.node);
  add('group', view.group);
  add('q', view.search);
  add('status', view.status);
  add('zone', view.zone);
  add('ns', view.namespace);
  add('format', view.format);
  add('focus', view.focus);
  if (view.focus !== '' && view.hops !== DEFAULT_HOPS) add('hops', String(view.hops));
  add('by', view.by);
  for (const key of view.collapsed) add('collapsed', key);
  for (const key of view.expanded) add('expanded', key);
  return params;
}

/**
 * Whether going from one view to the next is a step worth its own browser history entry: a new
 * selection or focus is somewhere Back should return to; filters, search and grouping are not.
 */
export function isHistoryStep(from: TopologyViewState, to: TopologyViewState): boolean {
  return from.node !== to.node || from.group !== to.group || from.focus !== to.focus || (to.focus !== '' && from.hops !== to.hops);
}

/** The grouping in effect: the chosen one, or namespace once the fleet is too big to draw node by node. */
export function effectiveGrouping(view: Pick<TopologyViewState, 'by'>, nodeCount: number): { mode: GroupMode; autoCollapse: boolean } {
  const auto = nodeCount > AUTO_GROUP_THRESHOLD;
  return { mode: view.by === '' ? (auto ? 'namespace' : 'none') : view.by, autoCollapse: auto };
}

/** Whether a group is drawn collapsed: above the threshold unless expanded by hand, below it only when collapsed by hand. */
export function isGroupCollapsed(view: Pick<TopologyViewState, 'collapsed' | 'expanded'>, autoCollapse: boolean, key: string): boolean {
  return autoCollapse ? !view.expanded.includes(key) : view.collapsed.includes(key);
}

/** The view after toggling one group, keeping only the list that matters for the current policy. */
export function toggleGroup(view: TopologyViewState, autoCollapse: boolean, key: string): Pick<TopologyViewState, 'collapsed' | 'expanded'> {
  const toggle = (list: string[]): string[] => (list.includes(key) ? list.filter((k) => k !== key) : [...list, key]);
  return autoCollapse ? { collapsed: view.collapsed, expanded: toggle(view.expanded) } : { collapsed: toggle(view.collapsed), expanded: view.expanded };
}

export type TopologyFilters = Pick<TopologyViewState, 'status' | 'zone' | 'namespace' | 'format'>;

export function hasFilters(filters: TopologyFilters): boolean {
  return filters.status !== '' || filters.zone !== '' || filters.namespace !== '' || filters.format !== '';
}

/** A service passes when it matches every filter (zone: any of its instances' zones). */
export function matchesFilters(node: TopologyNode, filters: TopologyFilters): boolean {
  if (filters.status !== '' && node.status !== filters.status) return false;
  if (filters.zone !== '' && !node.zones.includes(filters.zone)) return false;
  if (filters.namespace !== '' && (node.kind !== 'service' || namespaceOf(node.id) !== filters.namespace)) return false;
  if (filters.format !== '' && !node.formats.includes(filters.format)) return false;
  return true;
}

export interface Visibility {
  visible: Set<string>;
  /** Focus mode: how each shown node relates to the focused one. */
  focus?: Map<string, Reached>;
}

/**
 * The nodes to show. Filters apply to services; a dependency outside the registry stays in view
 * while a shown service is connected to it (a database is context, not a match). Focus mode keeps
 * only the focused node's neighbourhood. Hidden nodes keep their positions: nothing is re-laid out.
 */
export function visibleNodes(topology: Topology, filters: TopologyFilters, focus?: { id: string; hops: number }): Visibility {
  const filtering = hasFilters(filters);
  const visible = new Set<string>();
  for (const node of topology.nodes) if (node.kind === 'service' && (!filtering || matchesFilters(node, filters))) visible.add(node.id);
  const externals = new Set(topology.nodes.filter((node) => node.kind !== 'service').map((node) => node.id));
  for (const edge of topology.edges) {
    if (externals.has(edge.to) && visible.has(edge.from)) visible.add(edge.to);
    if (externals.has(edge.from) && visible.has(edge.to)) visible.add(edge.from);
  }
  if (!filtering) for (const id of externals) visible.add(id);
  if (!focus || !topology.nodes.some((node) => node.id === focus.id)) return { visible };
  const near = neighbourhood(adjacency(topology.edges), focus.id, focus.hops);
  for (const id of visible) if (!near.has(id)) visible.delete(id);
  visible.add(focus.id);
  return { visible, focus: near };
}

/** Lower-cased text a search matches: the name, plus instance ids and addresses for services. */
export function searchTextOf(node: Pick<TopologyNode, 'id'>, service: { instances: readonly Pick<Instance, 'id' | 'address'>[] } | undefined): string[] {
  const text = [node.id.toLowerCase()];
  for (const instance of service?.instances ?? []) text.push(instance.id.toLowerCase(), instance.address.toLowerCase());
  return text;
}

export function matchesSearch(text: readonly string[], search: string): boolean {
  const needle = search.trim().toLowerCase();
  return needle !== '' && text.some((candidate) => candidate.includes(needle));
}
