import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { positionsFromElk, toElkGraph, type LayoutEdge, type LayoutNode, type LayoutRequest, type Point } from './layout';
import { placeNewcomers, startingPositions, type LayoutFunction, type PrecomputedLayout } from './place';
import { overlaps } from './positions';

const elk = new ELK();
const node = (id: string): LayoutNode => ({ id, width: 200, height: 56 });

describe('placeNewcomers', () => {
  // A placed map of 30 services, and 40 new callers of `svc-0`, each with a new dependency of its own.
  const placedNodes = Array.from({ length: 30 }, (_, i) => node(`svc-${i}`));
  const placed = new Map<string, Point>(placedNodes.map((n, i) => [n.id, { x: (i % 6) * 300, y: Math.floor(i / 6) * 120 }]));
  const newcomers = Array.from({ length: 40 }, (_, i) => [node(`caller-${i}`), node(`dep-${i}`)]).flat();
  const edges: LayoutEdge[] = Array.from({ length: 40 }, (_, i) => [
    { id: `a${i}`, from: `caller-${i}`, to: 'svc-0' },
    { id: `b${i}`, from: `caller-${i}`, to: `dep-${i}` },
  ]).flat();
  const input = { nodes: [...placedNodes, ...newcomers], edges, groups: new Map(), placed };

  it('lays out every connected block of newcomers in one layout run, placing all of them without overlaps, the same way every time', async () => {
    const requests: LayoutRequest[] = [];
    const counting: LayoutFunction = async (request) => {
      requests.push(request);
      return positionsFromElk(await elk.layout(toElkGraph(request)));
    };
    const first = await placeNewcomers(input, counting);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.nodes).toHaveLength(80);
    expect([...first.keys()].sort()).toEqual(newcomers.map((n) => n.id).sort());

    const rects = [...placed, ...first].map(([, p]) => ({ ...p, width: 200, height: 56 }));
    let overlapping = 0;
    for (const [i, a] of rects.entries()) for (const b of rects.slice(i + 1)) if (overlaps(a, b)) overlapping += 1;
    expect(overlapping).toBe(0);
    // Each caller stays left of its own dependency, as laid out alone.
    for (let i = 0; i < 40; i += 1) expect(first.get(`caller-${i}`)?.x ?? NaN).toBeLessThan(first.get(`dep-${i}`)?.x ?? NaN);

    expect(Object.fromEntries(await placeNewcomers(input, counting))).toEqual(Object.fromEntries(first));
  });
});

describe('startingPositions', () => {
  const stored = new Map([['n:a', { x: 900, y: 0 }]]);
  const server: PrecomputedLayout = { mode: 'none', positions: [['n:a', 0, 0], ['n:b', 300, 0]] };
  const fromServer = new Map([
    ['n:a', { x: 0, y: 0 }],
    ['n:b', { x: 300, y: 0 }],
  ]);

  it.each<[string, Map<string, Point>, boolean, PrecomputedLayout | undefined, Map<string, Point>, boolean]>([
    ['nothing stored: the server\u2019s', new Map(), false, server, fromServer, true],
    ['stored, never dragged: the server\u2019s (made from the graph as it is now)', stored, false, server, fromServer, true],
    ['arranged by hand: the reader\u2019s', stored, true, server, stored, false],
    ['arranged, yet nothing stored (cleared storage): the server\u2019s', new Map(), true, server, fromServer, true],
    ['no server layout: what is stored', stored, false, undefined, stored, false],
    ['the server\u2019s layout of another grouping: what is stored', stored, false, { ...server, mode: 'namespace' }, stored, false],
    ['an empty server layout: what is stored', stored, false, { mode: 'none', positions: [] }, stored, false],
  ])('%s', (_name, storedPositions, arranged, layout, positions, fromServerExpected) => {
    expect(startingPositions(storedPositions, arranged, 'none', layout)).toEqual({ positions, fromServer: fromServerExpected });
  });
});
