import { describe, expect, it } from 'vitest';
import { createBodyReception, type BodyPlace } from './body-reception';

const place = (entered: BodyPlace | string): BodyPlace => {
  if (typeof entered === 'string') throw new Error(`refused: ${entered}`);
  return entered;
};

describe('body reception', () => {
  it("refuses a principal past its share of bodies arriving, and nobody else's", () => {
    const bodies = createBodyReception({ maxHeld: 10, maxReceivingPerPrincipal: 2 });
    const [a1, a2] = [place(bodies.enter('a')), place(bodies.enter('a'))];
    expect(bodies.enter('a')).toBe('principal_busy');
    const b = place(bodies.enter('b'));
    // A body received whole no longer counts against its principal (it still holds its place until the reply).
    a1.received();
    const a3 = place(bodies.enter('a'));
    expect(bodies.stats()).toEqual({ held: 4, receiving: 3, refusedBusy: 0, refusedPrincipal: 1, droppedSlow: 0 });
    for (const p of [a1, a2, a3, b]) p.leave();
    expect(bodies.stats()).toMatchObject({ held: 0, receiving: 0 });
  });

  it('caps the bodies held, received or not, and frees a place once however often it is left', () => {
    const bodies = createBodyReception({ maxHeld: 3, maxReceivingPerPrincipal: 2 });
    const held = [place(bodies.enter('a')), place(bodies.enter('b')), place(bodies.enter('c'))];
    held.forEach((p) => p.received());
    expect(bodies.enter('d')).toBe('busy');
    held[0]?.leave();
    held[0]?.leave();
    held[0]?.received();
    const d = place(bodies.enter('d'));
    expect(bodies.enter('e')).toBe('busy');
    expect(bodies.stats()).toEqual({ held: 3, receiving: 1, refusedBusy: 2, refusedPrincipal: 0, droppedSlow: 0 });
    d.leave();
    held.forEach((p) => p.leave());
    expect(bodies.stats()).toMatchObject({ held: 0, receiving: 0 });
  });

  it("checks the principal's share before the overall bound, and counts slow bodies", () => {
    const bodies = createBodyReception({ maxHeld: 1, maxReceivingPerPrincipal: 1 });
    place(bodies.enter('a'));
    expect(bodies.enter('a')).toBe('principal_busy');
    expect(bodies.enter('b')).toBe('busy');
    bodies.droppedSlow();
    expect(bodies.stats()).toEqual({ held: 1, receiving: 1, refusedBusy: 1, refusedPrincipal: 1, droppedSlow: 1 });
  });
});
