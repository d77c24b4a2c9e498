import { describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import {
  finishLayout,
  foldTallLayers,
  foldWideLayers,
  GROUP_PADDING,
  layerDepth,
  layoutEdges,
  MAX_SPREAD,
  MAX_UNFOLDED_LAYERS,
  NETWORK_SIMPLEX_PLACEMENT_MAX_NODES,
  positionsFromElk,
  SPREAD_ASPECT,
  spreadShallowLayers,
  toElkGraph,
  type LayoutNode,
  type LayoutRequest,
  type Point,
} from './layout';
import { boundsOf, overlaps } from './positions';

const node = (id: string, group?: string) => ({ id, width: 180, height: 48, ...(group ? { group } : {}) });

describe('toElkGraph', () => {
  it('nests group members in compound nodes and drops edges to unknown nodes and self-loops', () => {
    const graph = toElkGraph({
      nodes: [node('a'), node('b', 'g'), node('c', 'g')],
      edges: [
        { id: 'a>b', from: 'a', to: 'b' },
        { id: 'b>b', from: 'b', to: 'b' },
        { id: 'b>x', from: 'b', to: 'x' },
      ],
    });
    expect(graph.children?.map((child) => child.id)).toEqual(['a', 'group\u0000g']);
    expect(graph.children?.[1]?.children?.map((child) => child.id)).toEqual(['b', 'c']);
    expect(graph.edges).toEqual([{ id: 'a>b', sources: ['a'], targets: ['b'] }]);
  });

  it('uses the cheap settings for big graphs', () => {
    const small = toElkGraph({ nodes: [node('a')], edges: [] });
    const big = toElkGraph({ nodes: Array.from({ length: 300 }, (_, i) => node(`n${i}`)), edges: [] });
    expect(small.layoutOptions?.['elk.layered.thoroughness']).toBe('7');
    expect(big.layoutOptions?.['elk.layered.thoroughness']).toBe('1');
  });

  it('places nodes by network simplex only in small graphs (it takes tens of seconds on a 50-service fleet sharing a database)', () => {
    const placement = (count: number) => toElkGraph({ nodes: Array.from({ length: count }, (_, i) => node(`n${i}`)), edges: [] }).layoutOptions?.['elk.layered.nodePlacement.strategy'];
    expect(placement(NETWORK_SIMPLEX_PLACEMENT_MAX_NODES)).toBe('NETWORK_SIMPLEX');
    expect(placement(NETWORK_SIMPLEX_PLACEMENT_MAX_NODES + 1)).toBe('BRANDES_KOEPF');
    expect(placement(300)).toBe('SIMPLE');
  });
});

describe('layerDepth', () => {
  const chain = (n: number) => Array.from({ length: n - 1 }, (_, i) => ({ from: `n${i}`, to: `n${i + 1}` }));
  const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}` }));
  it.each<[string, { id: string }[], { from: string; to: string }[], number]>([
    ['empty', [], [], 0],
    ['lone nodes', ids(3), [], 1],
    ['a chain', ids(5), chain(5), 5],
    ['a cycle counts once around', ids(4), [...chain(4), { from: 'n3', to: 'n0' }], 4],
    ['a dense cycle is shallow', ids(4), [...chain(4), { from: 'n3', to: 'n0' }, { from: 'n0', to: 'n2' }, { from: 'n0', to: 'n3' }], 2],
    ['a diamond', ids(4), [{ from: 'n0', to: 'n1' }, { from: 'n0', to: 'n2' }, { from: 'n1', to: 'n3' }, { from: 'n2', to: 'n3' }], 3],
    ['a long chain without recursion', ids(50_000), chain(50_000), 50_000],
  ])('%s', (_name, nodes, edges, depth) => {
    expect(layerDepth(nodes, edges)).toBe(depth);
  });

  it('breaks cycles depth-first in deep graphs', () => {
    const deep = toElkGraph({ nodes: Array.from({ length: 40 }, (_, i) => node(`n${i}`)), edges: chain(40).map((e, i) => ({ id: String(i), ...e })) });
    expect(deep.layoutOptions?.['elk.layered.cycleBreaking.strategy']).toBe('DEPTH_FIRST');
    expect(toElkGraph({ nodes: [node('a')], edges: [] }).layoutOptions?.['elk.layered.cycleBreaking.strategy']).toBeUndefined();
  });
});

describe('layoutEdges', () => {
  it('keeps every edge of a sparse graph', () => {
    const edges = [
      { id: '1', from: 'a', to: 'b' },
      { id: '2', from: 'b', to: 'c' },
      { id: '3', from: 'c', to: 'c' },
    ];
    expect(layoutEdges(3, edges).map((e) => e.id)).toEqual(['1', '2']);
  });

  it('keeps each node\u2019s strongest outgoing edges in a dense graph', () => {
    const edges = ['b', 'c', 'd', 'e', 'f'].map((to, i) => ({ id: `a${to}`, from: 'a', to, weight: i }));
    expect(layoutEdges(1, edges).map((e) => e.id)).toEqual(['af', 'ae', 'ad']);
  });
});

describe('positionsFromElk', () => {
  it('turns nested relative positions into absolute ones', () => {
    const positions = positionsFromElk({
      id: 'root',
      children: [
        { id: 'a', x: 10, y: 20 },
        { id: 'group\u0000g', x: 100, y: 200, children: [{ id: 'b', x: 5.4, y: 6.6 }] },
      ],
    });
    expect(Object.fromEntries(positions)).toEqual({ a: { x: 10, y: 20 }, b: { x: 105, y: 207 } });
  });
});

describe('foldTallLayers', () => {
  const sizes = (ids: string[]) => ids.map((id) => ({ id, width: 100, height: 40 }));
  it('leaves a layout that is not tall alone', () => {
    const positions = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 200, y: 0 }],
    ]);
    expect(foldTallLayers(positions, sizes(['a', 'b']))).toEqual(positions);
  });

  it('folds a tall layer into sub-columns, keeping layer order and avoiding overlaps', () => {
    // Two layers: one caller, 100 callees stacked 62 px apart.
    const ids = ['root', ...Array.from({ length: 100 }, (_, i) => `c${String(i).padStart(3, '0')}`)];
    const positions = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 3_000 }]]);
    ids.slice(1).forEach((id, i) => positions.set(id, { x: 300, y: i * 62 }));
    const folded = foldTallLayers(positions, sizes(ids));
    const rects = ids.map((id) => ({ ...(folded.get(id) ?? { x: NaN, y: NaN }), width: 100, height: 40 }));
    const width = Math.max(...rects.map((r) => r.x + r.width)) - Math.min(...rects.map((r) => r.x));
    const height = Math.max(...rects.map((r) => r.y + r.height)) - Math.min(...rects.map((r) => r.y));
    expect(width / height).toBeGreaterThan(0.8);
    expect(width / height).toBeLessThan(3.2);
    // The caller stays left of every callee, and callees keep their order column by column.
    const root = folded.get('root');
    for (const id of ids.slice(1)) expect((folded.get(id)?.x ?? 0) > (root?.x ?? 0)).toBe(true);
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    const first = folded.get('c000');
    const second = folded.get('c001');
    expect(first && second && first.x === second.x && first.y < second.y).toBe(true);
  });
});

describe('foldWideLayers', () => {
  it('wraps a long row of layers into bands, keeping their order and avoiding overlaps', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    const positions = new Map(ids.map((id, i) => [id, { x: i * 300, y: i % 2 === 0 ? 0 : 70 }]));
    const sizes = ids.map((id) => ({ id, width: 200, height: 56 }));
    const folded = foldWideLayers(positions, sizes);
    const rects = ids.map((id) => ({ ...(folded.get(id) ?? { x: NaN, y: NaN }), width: 200, height: 56 }));
    const width = Math.max(...rects.map((r) => r.x + r.width)) - Math.min(...rects.map((r) => r.x));
    const height = Math.max(...rects.map((r) => r.y + r.height)) - Math.min(...rects.map((r) => r.y));
    expect(width / height).toBeLessThan(4);
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    // Reading order survives: left to right within a band, bands top to bottom.
    const first = folded.get('n00');
    const last = folded.get('n59');
    expect(first && last && last.y > first.y).toBe(true);
  });

  it(`leaves a wide layout of up to ${MAX_UNFOLDED_LAYERS} layers in one row`, () => {
    // The demo fleet's shape: seven layers, 1,972 × 440 px (4.5 times wider than tall).
    const ids = Array.from({ length: 7 }, (_, i) => `n${i}`);
    const positions = new Map(ids.map((id, i) => [id, { x: i * 295, y: i % 2 === 0 ? 0 : 380 }]));
    const sizes = ids.map((id) => ({ id, width: 200, height: 56 }));
    expect(foldWideLayers(positions, sizes)).toEqual(positions);
    const deeper = Array.from({ length: MAX_UNFOLDED_LAYERS + 1 }, (_, i) => `n${i}`);
    const deeperPositions = new Map(deeper.map((id, i) => [id, { x: i * 295, y: i % 2 === 0 ? 0 : 380 }]));
    expect(foldWideLayers(deeperPositions, deeper.map((id) => ({ id, width: 200, height: 56 })))).not.toEqual(deeperPositions);
  });

  it('leaves a layout that is not wide alone', () => {
    const positions = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 300, y: 200 }],
    ]);
    expect(foldWideLayers(positions, [{ id: 'a', width: 200, height: 56 }, { id: 'b', width: 200, height: 56 }])).toEqual(positions);
  });
});

/** Width over height of the nodes' bounding box. */
function aspectOf(positions: ReadonlyMap<string, Point>, nodes: readonly LayoutNode[]): number {
  const box = boundsOf(nodes.map((n) => ({ ...(positions.get(n.id) ?? { x: NaN, y: NaN }), width: n.width, height: n.height })));
  return box ? box.width / box.height : NaN;
}

describe('spreadShallowLayers', () => {
  // Seven layers of 200 × 56 boxes 295 apart, up to five per layer 22 px apart: 1,970 × 430.
  const counts = [1, 1, 2, 3, 5, 4, 2];
  const nodes = counts.flatMap((count, layer) => Array.from({ length: count }, (_, row) => ({ id: `l${layer}r${row}`, width: 200, height: 56 })));
  const positions = new Map<string, Point>(
    counts.flatMap((count, layer) => Array.from({ length: count }, (_, row) => [`l${layer}r${row}`, { x: layer * 295, y: (row - (count - 1) / 2) * 78 + 200 }] as const)),
  );

  it('spreads a wide, shallow layout to the canvas’ shape, keeping layers, order and straight edges, without overlaps', () => {
    expect(aspectOf(positions, nodes)).toBeGreaterThan(4);
    const spread = spreadShallowLayers(positions, nodes);
    expect(aspectOf(spread, nodes)).toBeCloseTo(SPREAD_ASPECT, 1);
    for (const { id } of nodes) expect(spread.get(id)?.x).toBe(positions.get(id)?.x);
    // A layer's order holds, and nodes level before (a straight edge between them) stay level.
    expect((spread.get('l4r0')?.y ?? 0) < (spread.get('l4r1')?.y ?? 0)).toBe(true);
    expect(spread.get('l0r0')?.y).toBe(spread.get('l1r0')?.y);
    const rects = nodes.map((n) => ({ ...(spread.get(n.id) ?? { x: NaN, y: NaN }), width: n.width, height: n.height }));
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  });

  it(`moves nodes at most ${MAX_SPREAD} times apart, and leaves a row or a layout of the canvas’ shape alone`, () => {
    // A long chain with one fork: 12 layers, 3,500 px wide and 134 high.
    const chain = Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, width: 200, height: 56 }));
    const fork = [...chain, { id: 'side', width: 200, height: 56 }];
    const forkPositions = new Map([...chain.map((n, i) => [n.id, { x: i * 295, y: 0 }] as const), ['side', { x: 295, y: 78 }]]);
    expect(spreadShallowLayers(forkPositions, fork).get('side')?.y).toBe(78 * MAX_SPREAD);
    const row = new Map(chain.map((n, i) => [n.id, { x: i * 295, y: 0 }]));
    expect(spreadShallowLayers(row, chain)).toEqual(row);
    const square = new Map([
      ['a', { x: 0, y: 0 }],
      ['b', { x: 300, y: 300 }],
    ]);
    expect(spreadShallowLayers(square, [{ id: 'a', width: 200, height: 56 }, { id: 'b', width: 200, height: 56 }])).toEqual(square);
  });
});

/** The demo fleet's map: 14 services (dubbo registers mailer as its interface), four externals, the calls of its plan. */
const DEMO_CALLS: Record<string, string[]> = {
  ingress: ['api-gateway'],
  'api-gateway': ['redis', 'auth', 'catalog', 'search', 'orders', 'users', 'recommendations'],
  auth: ['redis', 'users'],
  users: ['redis', 'postgres'],
  orders: ['users', 'inventory', 'payments', 'mysql', 'shipping', 'kafka'],
  payments: ['mysql'],
  inventory: ['postgres', 'redis'],
  search: ['catalog'],
  catalog: ['redis', 'postgres', 'reviews'],
  reviews: ['postgres'],
  recommendations: ['catalog', 'users'],
  shipping: ['postgres'],
  kafka: ['notifications'],
  notifications: ['users', 'com.example.mailer.MailService'],
  'com.example.mailer.MailService': [],
  postgres: [],
  mysql: [],
  redis: [],
};

describe('layout with ELK', () => {
  it('fills the canvas’ shape with the demo fleet’s seven layers instead of a strip four times wider than tall', async () => {
    const request: LayoutRequest = {
      nodes: Object.keys(DEMO_CALLS).map((id) => ({ id, ...(['postgres', 'mysql', 'redis', 'kafka'].includes(id) ? { width: 156, height: 64 } : { width: 200, height: 56 }) })),
      edges: Object.entries(DEMO_CALLS).flatMap(([from, targets]) => targets.map((to) => ({ id: `${from}->${to}`, from, to }))),
    };
    const result = await new ELK().layout(toElkGraph(request));
    expect(aspectOf(positionsFromElk(result), request.nodes)).toBeGreaterThan(3.5);
    const finished = finishLayout(result, request);
    expect(aspectOf(finished, request.nodes)).toBeGreaterThan(1.9);
    expect(aspectOf(finished, request.nodes)).toBeLessThanOrEqual(SPREAD_ASPECT + 0.01);
    const x = (id: string) => finished.get(id)?.x ?? NaN;
    expect(x('ingress')).toBeLessThan(x('api-gateway'));
    expect(x('orders')).toBeLessThan(x('payments'));
  });

  const elk = new ELK();
  const run = async (request: LayoutRequest) => positionsFromElk(await elk.layout(toElkGraph(request)));

  it('lays callers left of callees, without overlaps', async () => {
    const positions = await run({
      nodes: [node('gateway'), node('orders'), node('payments'), node('postgres'), node('users')],
      edges: [
        { id: '1', from: 'gateway', to: 'orders' },
        { id: '2', from: 'orders', to: 'payments' },
        { id: '3', from: 'payments', to: 'postgres' },
        { id: '4', from: 'gateway', to: 'users' },
      ],
    });
    expect(positions.size).toBe(5);
    const x = (id: string) => positions.get(id)?.x ?? NaN;
    expect(x('gateway')).toBeLessThan(x('orders'));
    expect(x('orders')).toBeLessThan(x('payments'));
    expect(x('payments')).toBeLessThan(x('postgres'));
    const rects = [...positions.values()].map((p) => ({ ...p, width: 180, height: 48 }));
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  });

  it('lays out 50 services calling the next three in a ring, all sharing a database and a queue, an unregistered ingress calling all fifty (an OTLP fleet), without overlaps', async () => {
    const service = (i: number) => `svc-${String((i % 50) + 1).padStart(2, '0')}`;
    const nodes = [...Array.from({ length: 50 }, (_, i) => node(service(i))), node('ingress'), node('mysql'), node('kafka:order-events')];
    const edges = Array.from({ length: 50 }, (_, i) => [
      ...[1, 2, 3].map((step) => ({ from: service(i), to: service(i + step) })),
      { from: service(i), to: 'mysql' },
      { from: service(i), to: 'kafka:order-events' },
      { from: 'ingress', to: service(i) },
    ])
      .flat()
      .map((edge) => ({ ...edge, id: `${edge.from}->${edge.to}` }));
    const positions = await run({ nodes, edges });
    expect(positions.size).toBe(53);
    const rects = [...positions.values()].map((p) => ({ ...p, width: 180, height: 48 }));
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  }, 30_000);

  it('keeps group members inside their group, below its title bar, and is deterministic', async () => {
    const request: LayoutRequest = {
      nodes: [node('gw'), node('pay-a', 'pay'), node('pay-b', 'pay'), node('db')],
      edges: [
        { id: '1', from: 'gw', to: 'pay-a' },
        { id: '2', from: 'pay-a', to: 'pay-b' },
        { id: '3', from: 'pay-b', to: 'db' },
      ],
    };
    const first = await run(request);
    const second = await run(request);
    expect(Object.fromEntries(second)).toEqual(Object.fromEntries(first));
    const a = first.get('pay-a');
    const gw = first.get('gw');
    expect(a && gw && a.y - gw.y).not.toBeNaN();
    // Members are at least the padding away from anything outside the group.
    for (const outside of ['gw', 'db']) {
      const o = first.get(outside);
      const m = first.get('pay-a');
      if (o && m) expect(Math.abs(o.x - m.x)).toBeGreaterThanOrEqual(GROUP_PADDING.left);
    }
  });
});
