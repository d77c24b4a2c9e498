import { describe, expect, it } from 'vitest';
import {
  AUTO_GROUP_THRESHOLD,
  DEFAULT_VIEW,
  effectiveGrouping,
  isGroupCollapsed,
  isHistoryStep,
  matchesSearch,
  parseTopologyView,
  searchTextOf,
  toggleGroup,
  topologyViewToParams,
  visibleNodes,
  type TopologyFilters,
  type TopologyViewState,
} from './view';
import type { Topology, TopologyNode } from './topology';

const reader = (search: string) => new URLSearchParams(search);

describe('topology view in the URL', () => {
  it.each<[string, Partial<TopologyViewState>]>([
    ['', {}],
    ['node=payments&status=critical&zone=eu-1a', { node: 'payments', status: 'critical', zone: 'eu-1a' }],
    ['ns=pay&format=kratos&q=pay', { namespace: 'pay', format: 'kratos', search: 'pay' }],
    ['focus=orders&hops=3', { focus: 'orders', hops: 3 }],
    ['by=zone&collapsed=a&collapsed=b&collapsed=a', { by: 'zone', collapsed: ['a', 'b'] }],
    ['expanded=x&group=y', { expanded: ['x'], group: 'y' }],
    // Garbage falls back to the defaults.
    ['status=purple&format=cobol&by=team&hops=-2', {}],
    ['hops=99&focus=a', { focus: 'a', hops: 5 }],
    ['hops=1.5&focus=a', { focus: 'a', hops: 1 }],
  ])('%j', (search, expected) => {
    expect(parseTopologyView(reader(search))).toEqual({ ...DEFAULT_VIEW, ...expected });
  });

  it.each<Partial<TopologyViewState>>([
    {},
    { node: 'a b/c%', status: 'warning', focus: 'x', hops: 2 },
    { by: 'namespace', expanded: ['pay', 'users'], search: '<script>' },
    { by: 'none', collapsed: ['a'], group: 'g', namespace: 'n', zone: 'z', format: 'rpcx' },
  ])('round-trips %j', (patch) => {
    const view = { ...DEFAULT_VIEW, ...patch };
    const params = new URLSearchParams(topologyViewToParams(view));
    expect(parseTopologyView(params)).toEqual(view);
  });

  it('writes nothing for the default view, and hops only in focus mode', () => {
    expect(topologyViewToParams(DEFAULT_VIEW)).toEqual([]);
    expect(topologyViewToParams({ ...DEFAULT_VIEW, hops: 3 })).toEqual([]);
  });

  it('caps what it reads', () => {
    const view = parseTopologyView(reader(`node=${'x'.repeat(10_000)}`));
    expect(view.node).toHaveLength(512);
  });
});

describe('grouping policy', () => {
  it.each<[TopologyViewState['by'], number, string, boolean]>([
    ['', 10, 'none', false],
    ['', AUTO_GROUP_THRESHOLD, 'none', false],
    ['', AUTO_GROUP_THRESHOLD + 1, 'namespace', true],
    ['none', 5_000, 'none', true],
    ['zone', 10, 'zone', false],
  ])('by=%j with %i nodes → %s (auto-collapse %s)', (by, count, mode, autoCollapse) => {
    expect(effectiveGrouping({ by }, count)).toEqual({ mode, autoCollapse });
  });

  it.each<[boolean, string[], string[], boolean]>([
    [false, [], [], false],
    [false, ['g'], [], true],
    [true, [], [], true],
    [true, [], ['g'], false],
  ])('auto-collapse %s, collapsed %j, expanded %j → collapsed %s', (auto, collapsed, expanded, result) => {
    expect(isGroupCollapsed({ collapsed, expanded }, auto, 'g')).toBe(result);
  });

  it('toggles the list that matters', () => {
    expect(toggleGroup({ ...DEFAULT_VIEW, collapsed: ['a'] }, false, 'a')).toEqual({ collapsed: [], expanded: [] });
    expect(toggleGroup(DEFAULT_VIEW, false, 'a')).toEqual({ collapsed: ['a'], expanded: [] });
    expect(toggleGroup(DEFAULT_VIEW, true, 'a')).toEqual({ collapsed: [], expanded: ['a'] });
  });
});

describe('visibleNodes', () => {
  const node = (id: string, patch: Partial<TopologyNode> = {}): TopologyNode => ({
    id,
    kind: 'service',
    status: 'passing',
    instances: 1,
    drained: 0,
    zones: ['a'],
    formats: ['native'],
    ...patch,
  });
  const topology: Topology = {
    nodes: [
      node('gw', { zones: ['a', 'b'] }),
      node('pay-api', { status: 'critical', formats: ['kratos'] }),
      node('pay-db-proxy', { zones: ['b'] }),
      node('users'),
      node('postgres', { kind: 'database', zones: [], formats: [] }),
      node('redis', { kind: 'cache', zones: [], formats: [] }),
    ],
    edges: [
      { from: 'gw', to: 'pay-api', source: 'declared', sources: ['declared'] },
      { from: 'gw', to: 'users', source: 'declared', sources: ['declared'] },
      { from: 'pay-api', to: 'postgres', source: 'declared', sources: ['declared'] },
      { from: 'users', to: 'redis', source: 'declared', sources: ['declared'] },
    ],
  };
  const none: TopologyFilters = { status: '', zone: '', namespace: '', format: '' };
  const shown = (filters: Partial<TopologyFilters>, focus?: { id: string; hops: number }) => [...visibleNodes(topology, { ...none, ...filters }, focus).visible].sort();

  it.each<[string, Partial<TopologyFilters>, { id: string; hops: number } | undefined, string[]]>([
    ['no filter shows everything', {}, undefined, ['gw', 'pay-api', 'pay-db-proxy', 'postgres', 'redis', 'users']],
    ['status keeps matching services and the dependencies they use', { status: 'critical' }, undefined, ['pay-api', 'postgres']],
    ['zone matches any instance zone', { zone: 'b' }, undefined, ['gw', 'pay-db-proxy']],
    ['namespace', { namespace: 'pay' }, undefined, ['pay-api', 'pay-db-proxy', 'postgres']],
    ['format', { format: 'kratos' }, undefined, ['pay-api', 'postgres']],
    ['focus, 1 hop', {}, { id: 'pay-api', hops: 1 }, ['gw', 'pay-api', 'postgres']],
    ['focus, 2 hops, directions kept apart', {}, { id: 'users', hops: 2 }, ['gw', 'redis', 'users']],
    ['focus and a filter intersect', { status: 'critical' }, { id: 'pay-api', hops: 1 }, ['pay-api', 'postgres']],
    ['focus on an unknown node is ignored', {}, { id: 'ghost', hops: 1 }, ['gw', 'pay-api', 'pay-db-proxy', 'postgres', 'redis', 'users']],
  ])('%s', (_name, filters, focus, expected) => {
    expect(shown(filters, focus)).toEqual(expected);
  });
});

describe('search', () => {
  const service = { instances: [{ id: 'pay-7f9c', address: '10.0.0.7:8080' }] };
  it.each<[string, boolean]>([
    ['', false],
    ['   ', false],
    ['PAY', true],
    ['7f9c', true],
    ['10.0.0.7', true],
    ['nope', false],
  ])('%j matches: %s', (search, expected) => {
    expect(matchesSearch(searchTextOf({ id: 'payments' }, service), search)).toBe(expected);
  });
});

describe('isHistoryStep', () => {
  const view = (patch: Partial<TopologyViewState>): TopologyViewState => ({ ...DEFAULT_VIEW, ...patch });

  it.each<[string, Partial<TopologyViewState>, Partial<TopologyViewState>]>([
    ['selecting a node', {}, { node: 'orders' }],
    ['selecting another node', { node: 'orders' }, { node: 'payments' }],
    ['clearing the selection', { node: 'orders' }, {}],
    ['selecting a group', {}, { group: 'ns:pay' }],
    ['entering focus', { node: 'orders' }, { node: 'orders', focus: 'orders' }],
    ['leaving focus', { focus: 'orders' }, {}],
    ['widening focus', { focus: 'orders', hops: 1 }, { focus: 'orders', hops: 2 }],
  ])('%s is a step Back returns from', (_label, from, to) => {
    expect(isHistoryStep(view(from), view(to))).toBe(true);
  });

  it.each<[string, Partial<TopologyViewState>, Partial<TopologyViewState>]>([
    ['typing a search', { node: 'orders' }, { node: 'orders', search: 'pay' }],
    ['filtering', {}, { status: 'critical', zone: 'z1' }],
    ['grouping', {}, { by: 'zone', collapsed: ['z1'] }],
    ['hops without focus', { hops: 1 }, { hops: 2 }],
  ])('%s replaces the current entry', (_label, from, to) => {
    expect(isHistoryStep(view(from), view(to))).toBe(false);
  });
});
