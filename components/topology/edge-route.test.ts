import { describe, expect, it } from 'vitest';
import type { Rect } from '@/lib/model/topology/positions';
import { labelSize, labelSpot } from './edge-labels';
import { curvePoint, edgeCurve, edgePath, edgesInView } from './edge-paint';
import { BoxIndex, CLEARANCE, crossedBoxes, flattenPath, pathPoint, routeEdge, svgPath, unflattenPath, type EdgePath } from './edge-route';
import type { MapEdge } from './flow';

const service = (x: number, y: number): Rect => ({ x, y, width: 200, height: 56 });
const external = (x: number, y: number): Rect => ({ x, y, width: 156, height: 64 });

/** The demo's outage map, around api-gateway → auth: payments (the likely origin) and kafka one layer before auth, orders before them. */
const gateway = service(0, 300);
const orders = service(290, 520);
const kafka = external(600, 420);
const payments = service(580, 560);
const mysql = external(880, 560);
const auth = service(880, 700);
const demo = [gateway, orders, kafka, payments, mysql, auth];

/** Whether any point of the path is within `margin` of the inside of `box`. */
const touches = (path: EdgePath, box: Rect, margin = 0): boolean => {
  for (const segment of path) {
    for (let i = 0; i <= 200; i += 1) {
      const p = curvePoint(segment, i / 200);
      if (p.x > box.x - margin && p.x < box.x + box.width + margin && p.y > box.y - margin && p.y < box.y + box.height + margin) return true;
    }
  }
  return false;
};

describe('routeEdge', () => {
  it('keeps React Flow\u2019s bezier when it crosses no other node', () => {
    const from = service(0, 0);
    const to = service(400, 120);
    const aside = service(200, 400);
    expect(routeEdge(from, to, new BoxIndex([from, to, aside]))).toEqual([edgeCurve(from, to)]);
  });

  it('takes a curve that ran through the likely origin around it, from handle to handle', () => {
    const index = new BoxIndex(demo);
    const direct = [edgeCurve(gateway, auth)];
    // The bug: the plain curve runs through payments, which api-gateway does not call.
    expect([...crossedBoxes(direct, index, [gateway, auth])]).toContain(payments);

    const path = routeEdge(gateway, auth, index);
    expect(path.length).toBeGreaterThan(1);
    for (const box of [orders, kafka, payments, mysql]) expect(touches(path, box), JSON.stringify(box)).toBe(false);
    // Clear of payments by the clearance, not grazing it.
    expect(touches(path, payments, CLEARANCE - 1)).toBe(false);
    const first = path[0];
    const last = path[path.length - 1];
    expect([first?.sx, first?.sy]).toEqual([gateway.x + gateway.width, gateway.y + gateway.height / 2]);
    expect([last?.tx, last?.ty]).toEqual([auth.x, auth.y + auth.height / 2]);
    // Leaves and arrives horizontally, like the bezier: handles and arrowheads stay as they were.
    expect(first?.c1y).toBe(first?.sy);
    expect(last?.c2y).toBe(last?.ty);
    // Continuous.
    for (let i = 1; i < path.length; i += 1) expect([path[i]?.sx, path[i]?.sy]).toEqual([path[i - 1]?.tx, path[i - 1]?.ty]);
  });

  it('goes through the gap nearest the curve, not round the whole column', () => {
    // A column of five nodes 120 px apart between two level nodes: the level edge runs through the middle one.
    const from = service(0, 240);
    const to = service(700, 240);
    const column = [0, 1, 2, 3, 4].map((i) => service(350, i * 120));
    const path = routeEdge(from, to, new BoxIndex([from, to, ...column]));
    for (const box of column) expect(touches(path, box)).toBe(false);
    const ys = path.flatMap((c) => [c.sy, c.ty]);
    // Between the second and third nodes, or the third and fourth: nowhere near the top or bottom of the column.
    expect(Math.min(...ys)).toBeGreaterThan(120 + 56);
    expect(Math.max(...ys)).toBeLessThan(360);
  });

  it('draws backward edges (loops) and neighbours with no room between them as React Flow does', () => {
    const index = new BoxIndex(demo);
    expect(routeEdge(auth, gateway, index)).toEqual([edgeCurve(auth, gateway)]);
    const near = service(210, 300);
    expect(routeEdge(gateway, near, new BoxIndex([gateway, near]))).toEqual([edgeCurve(gateway, near)]);
  });

  it('never crosses more nodes than the curve did, wherever the nodes were put (newcomers placed without a layout, drags)', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    // Free spots on a loose grid, a little off it (as placeNewcomers and drags leave nodes), none overlapping.
    const boxes: Rect[] = [];
    for (let column = 0; column < 10; column += 1) {
      for (let row = 0; row < 12; row += 1) if (random() < 0.5) boxes.push(service(column * 300 + Math.round(random() * 40), row * 120 + Math.round(random() * 20)));
    }
    const index = new BoxIndex(boxes);
    let before = 0;
    let after = 0;
    for (let i = 0; i < 300; i += 1) {
      const from = boxes[Math.floor(random() * boxes.length)] as Rect;
      const to = boxes[Math.floor(random() * boxes.length)] as Rect;
      const direct = crossedBoxes([edgeCurve(from, to)], index, [from, to]).size;
      const routed = crossedBoxes(routeEdge(from, to, index), index, [from, to]).size;
      expect(routed).toBeLessThanOrEqual(direct);
      // Backward edges (loops) stay React Flow's.
      if (to.x < from.x + from.width + 2 * CLEARANCE) continue;
      before += direct;
      after += routed;
    }
    expect(before).toBeGreaterThan(100);
    expect(after).toBe(0);
  });

  it('leaves an edge with an end far out of any map (a corrupt saved position) as the plain curve, at once', () => {
    const far = service(1e20, 300);
    const huge: Rect = { x: 0, y: 0, width: 1e9, height: 1e9 };
    const index = new BoxIndex([...demo, far, huge]);
    expect(routeEdge(gateway, far, index)).toEqual([edgeCurve(gateway, far)]);
    expect(routeEdge(gateway, auth, index).length).toBeGreaterThan(1);
  });
});

describe('paths', () => {
  it('are one bezier, as React Flow draws it, for an edge with nothing in its way', () => {
    const curve = edgeCurve(service(0, 0), service(400, 120));
    expect(pathPoint([curve], 0.5)).toEqual(curvePoint(curve, 0.5));
    expect(svgPath([curve])).toBe(`M${curve.sx},${curve.sy} C${curve.c1x},${curve.c1y} ${curve.c2x},${curve.c2y} ${curve.tx},${curve.ty}`);
  });

  it('travel flattened in an edge\u2019s data and come back the same', () => {
    const path = routeEdge(gateway, auth, new BoxIndex(demo));
    expect(unflattenPath(flattenPath(path))).toEqual(path);
  });

  it('run from their start to their end by pathPoint', () => {
    const path = routeEdge(gateway, auth, new BoxIndex(demo));
    expect(pathPoint(path, 0)).toEqual({ x: 200, y: 328 });
    expect(pathPoint(path, 1)).toEqual({ x: 880, y: 728 });
    const middle = pathPoint(path, 0.5);
    expect(middle.x).toBeGreaterThan(200);
    expect(middle.x).toBeLessThan(880);
  });
});

describe('a routed edge\u2019s label and its painting', () => {
  it('puts the label on the route, off the nodes', () => {
    const path = routeEdge(gateway, auth, new BoxIndex(demo));
    const size = labelSize('100% errors · 30s');
    const at = labelSpot(path, size, demo);
    const label = { x: at.x - size.width / 2, y: at.y - size.height / 2, ...size };
    for (const box of demo) expect(label.x + label.width <= box.x || box.x + box.width <= label.x || label.y + label.height <= box.y || box.y + box.height <= label.y).toBe(true);
    // On the line the reader sees: some point of the route runs through the label.
    expect(touches(path, label)).toBe(true);
  });

  it('is painted along its route on the edge canvas, and as the bezier once its route is stale', () => {
    const path = routeEdge(gateway, auth, new BoxIndex(demo));
    const edge: MapEdge = { id: 'e', source: 'n:gateway', target: 'n:auth', className: 'tflow-edge tflow-edge--critical', data: { sources: 'declared', count: 1, tone: 'critical', route: flattenPath(path) } };
    expect(edgePath(edge, gateway, auth)).toEqual(path);
    const painted = edgesInView([edge], new Map([['n:gateway', gateway], ['n:auth', auth]]), { x: 0, y: 0, width: 2_000, height: 2_000 });
    expect(painted.batches[0]?.paths).toEqual([path]);
    // The target moved (a frame of a drag ahead of the routes): the bezier between the handles.
    const moved = service(900, 800);
    expect(edgePath(edge, gateway, moved)).toEqual([edgeCurve(gateway, moved)]);
  });
});
