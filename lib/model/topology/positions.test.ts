import { describe, expect, it } from 'vitest';
import {
  backwardEdges,
  blocksToPlace,
  findFreeSpot,
  isArranged,
  loadPositions,
  MAX_STORED,
  Occupancy,
  overlaps,
  placeBlocks,
  savePositions,
  setArranged,
  STORAGE_PREFIX,
  type PositionMap,
  type Rect,
} from './positions';

class MemoryStorage {
  data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
  removeItem = (key: string) => void this.data.delete(key);
}

const node = (id: string, group?: string) => ({ id, width: 100, height: 40, ...(group ? { group } : {}) });

describe('stored positions', () => {
  it('round-trips, rounding to whole pixels, per mode', () => {
    const storage = new MemoryStorage();
    savePositions(storage, 'none', new Map([['n:a', { x: 1.4, y: -2.6 }]]));
    expect(Object.fromEntries(loadPositions(storage, 'none'))).toEqual({ 'n:a': { x: 1, y: -3 } });
    expect(loadPositions(storage, 'zone').size).toBe(0);
  });

  it.each([['not json'], ['{"a":1}'], ['[["n:a",1],["n:b","x",2],["n:c",1,2],[1,2,3],["n:d",null,1]]']])('ignores garbage: %s', (text) => {
    const storage = new MemoryStorage();
    storage.setItem(`${STORAGE_PREFIX}none`, text);
    const loaded = loadPositions(storage, 'none');
    expect([...loaded.keys()].filter((id) => id !== 'n:c')).toEqual([]);
  });

  it('survives storage that throws, and keeps only the newest entries over the cap', () => {
    const throwing = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => undefined };
    expect(loadPositions(throwing, 'none').size).toBe(0);
    expect(() => savePositions(throwing, 'none', new Map())).not.toThrow();
    const storage = new MemoryStorage();
    const many: PositionMap = new Map(Array.from({ length: MAX_STORED + 5 }, (_, i) => [`n:${i}`, { x: i, y: 0 }]));
    savePositions(storage, 'none', many);
    const loaded = loadPositions(storage, 'none');
    expect(loaded.size).toBe(MAX_STORED);
    expect(loaded.has('n:0')).toBe(false);
    expect(loaded.has(`n:${MAX_STORED + 4}`)).toBe(true);
  });
});

describe('arranged by hand', () => {
  it('is remembered per mode until cleared, and blocked storage means not arranged', () => {
    const storage = new MemoryStorage();
    expect(isArranged(storage, 'none')).toBe(false);
    setArranged(storage, 'none', true);
    expect(isArranged(storage, 'none')).toBe(true);
    expect(isArranged(storage, 'zone')).toBe(false);
    setArranged(storage, 'none', false);
    expect(isArranged(storage, 'none')).toBe(false);
    const throwing = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => { throw new Error('blocked'); } };
    expect(isArranged(throwing, 'none')).toBe(false);
    expect(() => setArranged(throwing, 'none', true)).not.toThrow();
  });
});

describe('backwardEdges', () => {
  it('names the edges whose callee sits left of its caller, ignoring unplaced ends and a shared column', () => {
    const positions: PositionMap = new Map([
      ['n:a', { x: 0, y: 0 }],
      ['n:b', { x: 300, y: 0 }],
      ['n:c', { x: 300, y: 200 }],
    ]);
    const edges = [
      { id: 'a→b', from: 'n:a', to: 'n:b' },
      { id: 'b→a', from: 'n:b', to: 'n:a' },
      { id: 'b→c', from: 'n:b', to: 'n:c' },
      { id: 'b→x', from: 'n:b', to: 'n:x' },
    ];
    expect([...backwardEdges(edges, positions)]).toEqual(['b→a']);
  });
});

describe('findFreeSpot', () => {
  const size = { width: 100, height: 40 };
  it.each<[string, Rect[], { x: number; y: number }]>([
    ['empty space: the preferred spot', [], { x: 0, y: 0 }],
    ['a far node does not matter', [{ x: 1000, y: 1000, width: 100, height: 40 }], { x: 0, y: 0 }],
  ])('%s', (_name, occupied, expected) => {
    expect(findFreeSpot(size, { x: 0, y: 0 }, new Occupancy(occupied))).toEqual(expected);
  });

  it('moves off an occupied spot to the nearest free one, never overlapping', () => {
    const occupied = [{ x: 0, y: 0, width: 100, height: 40 }];
    const spot = findFreeSpot(size, { x: 0, y: 0 }, new Occupancy(occupied));
    expect(overlaps({ ...spot, ...size }, occupied[0] as Rect, 24)).toBe(false);
    expect(Math.hypot(spot.x, spot.y)).toBeLessThan(200);
  });

  it('finds room in a crowded area', () => {
    const occupied: Rect[] = [];
    for (let i = -3; i <= 3; i += 1) for (let j = -3; j <= 3; j += 1) occupied.push({ x: i * 130, y: j * 70, width: 100, height: 40 });
    const spot = findFreeSpot(size, { x: 0, y: 0 }, new Occupancy(occupied));
    for (const r of occupied) expect(overlaps({ ...spot, ...size }, r, 24)).toBe(false);
  });
});

describe('blocksToPlace', () => {
  it('keeps group members together and splits loose newcomers by connectivity', () => {
    const blocks = blocksToPlace(
      [node('a'), node('b'), node('c'), node('m1', 'g'), node('m2', 'g')],
      [
        { id: '1', from: 'a', to: 'b' },
        { id: '2', from: 'x', to: 'c' },
      ],
    );
    expect(blocks.map((b) => ({ group: b.group, ids: b.nodes.map((n) => n.id) }))).toEqual([
      { group: 'g', ids: ['m1', 'm2'] },
      { group: undefined, ids: ['a', 'b'] },
      { group: undefined, ids: ['c'] },
    ]);
  });
});

describe('placeBlocks', () => {
  const placed: PositionMap = new Map([
    ['caller', { x: 0, y: 100 }],
    ['callee', { x: 400, y: 300 }],
    ['other', { x: 0, y: 0 }],
  ]);
  const drawn = [node('caller'), node('callee'), node('other')];

  it.each<[string, { from: string; to: string }[], (p: { x: number; y: number }) => void]>([
    ['right of its caller', [{ from: 'caller', to: 'new' }], (p) => expect(p.x).toBeGreaterThanOrEqual(100 + 90)],
    ['left of what it calls', [{ from: 'new', to: 'callee' }], (p) => expect(p.x + 100).toBeLessThanOrEqual(400 - 90 + 1)],
    ['below everything when unconnected', [], (p) => expect(p.y).toBeGreaterThan(340)],
  ])('a newcomer goes %s', (_name, links, check) => {
    const edges = links.map((link, i) => ({ id: String(i), ...link }));
    const result = placeBlocks([{ nodes: [node('new')], relative: new Map() }], placed, [...drawn, node('new')], edges, () => undefined);
    const p = result.get('new');
    expect(p).toBeDefined();
    if (p) check(p);
    for (const [id, q] of placed) if (p) expect(overlaps({ ...p, width: 100, height: 40 }, { ...q, width: 100, height: 40 }), id).toBe(false);
  });

  it('puts an expanded group where its collapsed node was, keeping the block\u2019s shape', () => {
    const relative: PositionMap = new Map([
      ['m1', { x: 10, y: 10 }],
      ['m2', { x: 10, y: 70 }],
    ]);
    const result = placeBlocks([{ nodes: [node('m1', 'g'), node('m2', 'g')], relative, group: 'g' }], placed, drawn, [], () => ({ x: 800, y: 800 }));
    expect(Object.fromEntries(result)).toEqual({ m1: { x: 800, y: 800 }, m2: { x: 800, y: 860 } });
  });

  it('never moves what is placed', () => {
    const before = new Map(placed);
    placeBlocks([{ nodes: [node('new')], relative: new Map() }], placed, drawn, [{ id: '1', from: 'caller', to: 'new' }], () => undefined);
    expect(placed).toEqual(before);
  });
});

describe('placing many newcomers', () => {
  const size = { width: 200, height: 56 };
  /** `n` placed nodes in a grid to the right of the spot every newcomer wants: far, but there. */
  const placedGrid = (n: number): Rect[] => Array.from({ length: n }, (_, i) => ({ x: 2_000 + (i % 100) * 260, y: Math.floor(i / 100) * 90, ...size }));
  /** `k` newcomers all preferring (0, 0) (every new caller of one service wants the same spot). */
  const placeAll = (occupancy: Occupancy, k: number): Rect[] =>
    Array.from({ length: k }, () => {
      const rect = { ...findFreeSpot(size, { x: 0, y: 0 }, occupancy), ...size };
      occupancy.add(rect);
      return rect;
    });

  it('places 400 newcomers wanting one spot without any overlap, identically every time', () => {
    const placed = placedGrid(300);
    const first = placeAll(new Occupancy(placed), 400);
    expect(placeAll(new Occupancy(placed), 400)).toEqual(first);
    const all = [...placed, ...first];
    let overlapping = 0;
    for (let i = 0; i < all.length; i += 1) for (let j = i + 1; j < all.length; j += 1) if (overlaps(all[i] as Rect, all[j] as Rect, 23)) overlapping += 1;
    expect(overlapping).toBe(0);
    // Most go into the rings around the spot, the rest below everything.
    expect(first.filter((r) => Math.abs(r.x) < 4_000 && Math.abs(r.y) < 2_000).length).toBeGreaterThan(300);
  });

  it('costs each newcomer a bounded number of rect tests, however many nodes are placed', () => {
    const cost = (n: number): number => {
      const occupancy = new Occupancy(placedGrid(n));
      placeAll(occupancy, 1_000);
      return occupancy.comparisons;
    };
    const few = cost(100);
    const many = cost(10_000);
    // Before the grid and the remembered progress: every candidate spot against every rect, ~10^9 tests here.
    expect(many).toBeLessThan(1_000 * 50);
    expect(many).toBeLessThanOrEqual(few * 1.1);
  });
});
