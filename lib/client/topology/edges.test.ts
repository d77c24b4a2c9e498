import { describe, expect, it } from 'vitest';
import { parseObservedEdges } from './edges';

describe('parseObservedEdges', () => {
  it('keeps the kind of a queue or database end, and nothing else as a kind', () => {
    const edges = parseObservedEdges({
      edges: [
        { from: 'gateway', to: 'kafka:orders', rps: 1, toKind: 'queue' },
        { from: 'kafka:orders', to: 'worker', rps: 1, fromKind: 'queue' },
        { from: 'worker', to: 'x', rps: 1, toKind: '<script>' },
      ],
    });
    expect(edges.map(({ from, to, fromKind, toKind }) => ({ from, to, fromKind, toKind }))).toEqual([
      { from: 'gateway', to: 'kafka:orders', fromKind: undefined, toKind: 'queue' },
      { from: 'kafka:orders', to: 'worker', fromKind: 'queue', toKind: undefined },
      { from: 'worker', to: 'x', fromKind: undefined, toKind: undefined },
    ]);
  });
});
