/**
 * Request bodies of the program endpoints (ingest, OTLP) held at once, all principals together: a
 * body holds its place from its first byte to its request's reply (for OTLP that includes waiting
 * for a processing place, since the body waits in memory), so the bodies in memory are at most this
 * many times the endpoint's body limit (1 MiB ingest, 4 MiB OTLP): 64 MiB to 256 MiB at worst. A
 * fleet's bodies arrive whole in one read and are answered in microseconds to milliseconds, so this
 * is reached only by bodies held open or by a burst larger than a 50 ms stall at 1,000 exports a second.
 */
export const MAX_BODIES_HELD = 64;
/**
 * Bodies of one principal (one API token) still arriving at once. An incomplete body costs its
 * sender nothing but a socket, so this is what one token could otherwise fill `MAX_BODIES_HELD`
 * with; 16 is as many as all senders together had before (the 16 OTLP places read the bodies),
 * twice the benchmarks' 8 keep-alive clients of one token, and a fleet sharing one token sends
 * bodies that arrive whole in one read (received in the turn they arrive, never counted here long).
 */
export const MAX_BODIES_RECEIVING_PER_PRINCIPAL = 16;
/** Seconds a refused sender waits before retrying (OTLP exporters and the ingest reporters honour `Retry-After`). */
export const BODY_RETRY_AFTER_SECONDS = 2;

/** Why a body was refused a place: every place taken, or its principal's share of bodies arriving. */
export type BodyRefusal = 'busy' | 'principal_busy';

/** One body's place: first its principal's (while it arrives), then only the overall one (until the reply). */
export interface BodyPlace {
  /** The body arrived whole, or was refused: it no longer counts among its principal's bodies arriving. Once is enough. */
  received(): void;
  /** The request is answered or its client gone: the place is free (and `received` implied). Once is enough. */
  leave(): void;
}

/** Counters for `/metrics` and Diagnostics. */
export interface BodyReceptionStats {
  /** Bodies holding a place now (arriving, waiting for a processing place, or being processed). */
  held: number;
  /** Of those, bodies still arriving. */
  receiving: number;
  /** Refused since start (429) because every place was taken. */
  refusedBusy: number;
  /** Refused since start (429) because their principal had its share arriving. */
  refusedPrincipal: number;
  /** Dropped since start (408) for arriving slower than the minimum rate (`read-body.ts`). */
  droppedSlow: number;
}

/** Places for request bodies, overall and per principal, shared by ingest and OTLP (createBodyReception). */
export interface BodyReception {
  /** A place for a body of `principal` (an API token's id), or why there is none: the request is refused at once. */
  enter(principal: string): BodyPlace | BodyRefusal;
  /** Counts a body dropped for arriving too slowly. */
  droppedSlow(): void;
  stats(): BodyReceptionStats;
}

/**
 * Bounds the request bodies in memory by construction (`maxHeld` places) and keeps one principal
 * from taking them all with bodies it never finishes (`maxReceivingPerPrincipal`): a principal over
 * its share is refused, the others are not affected. No waiting: a refused sender is told to retry.
 */
export function createBodyReception(options: { maxHeld?: number; maxReceivingPerPrincipal?: number } = {}): BodyReception {
  const maxHeld = options.maxHeld ?? MAX_BODIES_HELD;
  const maxPerPrincipal = options.maxReceivingPerPrincipal ?? MAX_BODIES_RECEIVING_PER_PRINCIPAL;
  let held = 0;
  let receiving = 0;
  let refusedBusy = 0;
  let refusedPrincipal = 0;
  let droppedSlow = 0;
  /** Bodies arriving per principal; a principal with none has no entry (so at most `maxHeld` entries). */
  const arriving = new Map<string, number>();
  return {
    enter(principal: string): BodyPlace | BodyRefusal {
      const own = arriving.get(principal) ?? 0;
      if (own >= maxPerPrincipal) {
        refusedPrincipal += 1;
        return 'principal_busy';
      }
      if (held >= maxHeld) {
        refusedBusy += 1;
        return 'busy';
      }
      held += 1;
      receiving += 1;
      arriving.set(principal, own + 1);
      let state: 'arriving' | 'received' | 'gone' = 'arriving';
      const received = (): void => {
        if (state !== 'arriving') return;
        state = 'received';
        receiving -= 1;
        const left = (arriving.get(principal) ?? 1) - 1;
        if (left === 0) arriving.delete(principal);
        else arriving.set(principal, left);
      };
      return {
        received,
        leave(): void {
          if (state === 'gone') return;
          received();
          state = 'gone';
          held -= 1;
        },
      };
    },
    droppedSlow(): void {
      droppedSlow += 1;
    },
    stats: () => ({ held, receiving, refusedBusy, refusedPrincipal, droppedSlow }),
  };
}
