import { describe, expect, it } from 'vitest';
import { createBodyReception, type BodyPlace } from './body-reception';

const place = (entered: BodyPlace | string): BodyPlace => {
  if (typeof entered === 'string') throw new Error(`refused: ${entered}`);
  return entered;
};

describe('body reception', () => {
  it("refuses a principal past its share of bodies arriving, and nobody else's", () => {
    const bodies = createBodyReception({ maxArriving: 10, maxReceivingPerPrincipal: 2 });
    const [a1, a2] = [place(bodies.enter('a')), place(bodies.enter('a'))];
    expect(bodies.enter('a')).toBe('principal_busy');
    const b = place(bodies.enter('b'));
    // A body received whole no longer counts against its principal (it still holds its bytes until the reply).
    expect(a1.received(100)).toBe(true);
    const a3 = place(bodies.enter('a'));
    expect(bodies.stats()).toEqual({ held: 4, receiving: 3, heldBytes: 100, refusedBusy: 0, refusedPrincipal: 1, droppedSlow: 0 });
    for (const p of [a1, a2, a3, b]) p.leave();
    expect(bodies.stats()).toMatchObject({ held: 0, receiving: 0, heldBytes: 0 });
  });

  it('caps the bodies arriving, and the bytes received and waiting, not their number', () => {
    const bodies = createBodyReception({ maxArriving: 2, maxReceivingPerPrincipal: 2, maxReceivedBytes: 1_000 });
    const [a, b] = [place(bodies.enter('a')), place(bodies.enter('b'))];
    expect(bodies.enter('c')).toBe('busy');
    expect(a.received(600)).toBe(true);
    // Received bodies leave the arriving places: a burst of small exports after a stall waits, it is not refused.
    const small = Array.from({ length: 100 }, () => {
      const body = place(bodies.enter('fleet'));
      expect(body.received(4)).toBe(true);
      return body;
    });
    expect(b.received(600)).toBe(false);
    expect(b.received(0)).toBe(false);
    expect(bodies.stats()).toEqual({ held: 102, receiving: 0, heldBytes: 1_000, refusedBusy: 2, refusedPrincipal: 0, droppedSlow: 0 });
    b.leave();
    a.leave();
    a.leave();
    expect(bodies.stats()).toMatchObject({ held: 100, heldBytes: 400 });
    small.forEach((body) => body.leave());
    expect(bodies.stats()).toMatchObject({ held: 0, receiving: 0, heldBytes: 0 });
  });

  it("checks the principal's share before the overall bound, and counts slow bodies", () => {
    const bodies = createBodyReception({ maxArriving: 1, maxReceivingPerPrincipal: 1 });
    place(bodies.enter('a'));
    expect(bodies.enter('a')).toBe('principal_busy');
    expect(bodies.enter('b')).toBe('busy');
    bodies.droppedSlow();
    expect(bodies.stats()).toEqual({ held: 1, receiving: 1, heldBytes: 0, refusedBusy: 1, refusedPrincipal: 1, droppedSlow: 1 });
  });
});
