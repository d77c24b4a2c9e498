/**
 * Request bodies of the program endpoints (ingest, OTLP) still arriving at once, all principals
 * together: each may grow to its endpoint's body limit (1 MiB ingest, 4 MiB OTLP), so at most
 * 256 MiB arrive at once. A fleet's bodies arrive whole in one read, so only bodies held open count
 * here for long.
 */
export const MAX_BODIES_ARRIVING = 64;
/**
 * Bytes of bodies received whole and not yet answered (waiting for an OTLP processing place, or
 * being processed), all principals together. Counted in bytes, not bodies: after a stall of the
 * event loop a fleet's small exports arrive together (1,000 exports of ~4 KB a second: a 100 ms
 * stall is 100 of them, 400 KB), and they must wait rather than be refused, while a few 4 MiB
 * bodies may not hold gigabytes.
 */
export const MAX_RECEIVED_BYTES = 64 * 1024 * 1024;
/**
 * Bodies of one principal (one API token) still arriving at once. An incomplete body costs its
 * sender nothing but a socket, so this is what one token could otherwise fill `MAX_BODIES_ARRIVING`
 * with; 16 is as many as all senders together had before (the 16 OTLP places read the bodies),
 * twice the benchmarks' 8 keep-alive clients of one token, and a fleet sharing one token sends
 * bodies that arrive whole in one read (received in the turn they arrive, never counted here long).
 */
export const MAX_BODIES_RECEIVING_PER_PRINCIPAL = 16;
/** Seconds a refused sender waits before retrying (OTLP exporters and the ingest reporters honour `Retry-After`). */
export const BODY_RETRY_AFTER_SECONDS = 2;

/** Why a body was refused: too many bodies arriving, its principal's share of them, or too many bytes received and waiting. */
export type BodyRefusal = 'busy' | 'principal_busy' | 'bytes_busy';

/** One body's place: among the bodies arriving (overall and its principal's), then among the bytes received (until the reply). */
export interface BodyPlace {
  /**
   * The body arrived (`bytes` of it kept for the request; 0 if refused): it no longer counts among
   * the bodies arriving. False when its bytes do not fit `MAX_RECEIVED_BYTES`: the request is refused
   * (429) and the place left. Once is enough; later calls return the first answer.
   */
  received(bytes: number): boolean;
  /** The request is answered or its client gone: the place is free (and `received(0)` implied). Once is enough. */
  leave(): void;
}

/** Counters for `/metrics` and Diagnostics. */
export interface BodyReceptionStats {
  /** Bodies holding a place now (arriving, waiting for a processing place, or being processed). */
  held: number;
  /** Of those, bodies still arriving. */
  receiving: number;
  /** Bytes of the bodies received and not yet answered. */
  heldBytes: number;
  /** Refused since start (429) because too many bodies were arriving or too many bytes were received and waiting. */
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
 * Bounds the request bodies in memory by construction (`maxArriving` bodies arriving, `maxReceivedBytes`
 * received and waiting) and keeps one principal from taking the arriving places with bodies it never
 * finishes (`maxReceivingPerPrincipal`): a principal over its share is refused, the others are not
 * affected. No waiting: a refused sender is told to retry.
 */
export function createBodyReception(options: { maxArriving?: number; maxReceivingPerPrincipal?: number; maxReceivedBytes?: number } = {}): BodyReception {
  const maxArriving = options.maxArriving ?? MAX_BODIES_ARRIVING;
  const maxPerPrincipal = options.maxReceivingPerPrincipal ?? MAX_BODIES_RECEIVING_PER_PRINCIPAL;
  const maxReceivedBytes = options.maxReceivedBytes ?? MAX_RECEIVED_BYTES;
  let held = 0;
  let receiving = 0;
  let heldBytes = 0;
  let refusedBusy = 0;
  let refusedPrincipal = 0;
  let droppedSlow = 0;
  /** Bodies arriving per principal; a principal with none has no entry (so at most `maxArriving` entries). */
  const arriving = new Map<string, number>();
  return {
    enter(principal: string): BodyPlace | BodyRefusal {
      const own = arriving.get(principal) ?? 0;
      if (own >= maxPerPrincipal) {
        refusedPrincipal += 1;
        return 'principal_busy';
      }
      if (receiving >= maxArriving) {
        refusedBusy += 1;
        return 'busy';
      }
      held += 1;
      receiving += 1;
      arriving.set(principal, own + 1);
      let state: 'arriving' | 'received' | 'gone' = 'arriving';
      let kept = 0;
      let fits = true;
      const received = (bytes: number): boolean => {
        if (state !== 'arriving') return fits;
        state = 'received';
        receiving -= 1;
        const left = (arriving.get(principal) ?? 1) - 1;
        if (left === 0) arriving.delete(principal);
        else arriving.set(principal, left);
        fits = heldBytes + bytes <= maxReceivedBytes;
        if (!fits) {
          refusedBusy += 1;
          return false;
        }
        kept = bytes;
        heldBytes += kept;
        return true;
      };
      return {
        received,
        leave(): void {
          if (state === 'gone') return;
          received(0);
          state = 'gone';
          held -= 1;
          heldBytes -= kept;
        },
      };
    },
    droppedSlow(): void {
      droppedSlow += 1;
    },
    stats: () => ({ held, receiving, heldBytes, refusedBusy, refusedPrincipal, droppedSlow }),
  };
}
