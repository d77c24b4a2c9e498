import type { SummaryDelta, SummarySnapshot } from './live';
import type { ServiceSummary } from './service-summary';

/**
 * The summary snapshot travels in parts of at most this many bytes of JSON before compression
 * (issue 19: no message over 2 MB; 10,000 services of a real fleet are ~3.3 MB of summaries).
 */
export const MAX_SUMMARY_PART_BYTES = 1024 * 1024;

/**
 * What a receiver inflates one part to at most: parts are packed to MAX_SUMMARY_PART_BYTES, but one
 * service's summary alone may be larger (its lists of versions, zones and dependencies grow with its
 * instances), so the bound leaves room for that while refusing a part that would inflate without end.
 */
export const MAX_INFLATED_PART_BYTES = 4 * MAX_SUMMARY_PART_BYTES;

/** One part's JSON: the snapshot's header, which part of how many, and a run of its services in order. */
export interface SummarySnapshotPart extends SummarySnapshot {
  part: number;
  parts: number;
}

const encoder = new TextEncoder();

/**
 * A snapshot as UTF-8 JSON parts, each under MAX_SUMMARY_PART_BYTES unless one summary alone is
 * larger. Bytes, so a server compresses them once (gzip, the wire format) and sends the same parts
 * to every socket; `summaryJson` lets it reuse each unchanged summary's JSON.
 */
export function encodeSummaryParts(snapshot: SummarySnapshot, summaryJson: (summary: ServiceSummary) => string = JSON.stringify): Uint8Array[] {
  const runs: string[][] = [[]];
  let runBytes = 0;
  for (const summary of snapshot.services) {
    const json = summaryJson(summary);
    // JSON length in UTF-16 units under-counts non-ASCII bytes by at most 3×: reserve for it.
    const bytes = json.length * 3 + 1;
    const run = runs[runs.length - 1] as string[];
    if (run.length > 0 && runBytes + bytes > MAX_SUMMARY_PART_BYTES - 4_096) {
      runs.push([json]);
      runBytes = bytes;
    } else {
      run.push(json);
      runBytes += bytes;
    }
  }
  const header = JSON.stringify({ epoch: snapshot.epoch, seq: snapshot.seq, revision: snapshot.revision, registry: snapshot.registry }).slice(0, -1);
  return runs.map((run, part) => encoder.encode(`${header},"part":${part},"parts":${runs.length},"services":[${run.join(',')}]}`));
}

/** A gzip stream inflated to text, refused (thrown) once it passes `limit` bytes. Web streams: the browser's and Node's alike. */
async function inflateText(gzipped: BufferSource, limit: number): Promise<string> {
  const source = new ReadableStream<BufferSource>({
    start(controller) {
      controller.enqueue(gzipped);
      controller.close();
    },
  });
  const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();
  const decoder = new TextDecoder();
  const texts: string[] = [];
  let inflated = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    inflated += value.byteLength;
    if (inflated > limit) {
      await reader.cancel();
      throw new RangeError(`a summary part inflates past ${limit} bytes`);
    }
    texts.push(decoder.decode(value, { stream: true }));
  }
  texts.push(decoder.decode());
  return texts.join('');
}

export interface SummaryReceiver {
  /** A `summary:snapshot` message: one gzip-compressed part. */
  part(data: ArrayBuffer | Uint8Array): void;
  /** A `summary:delta` message: handed on after any snapshot part received before it. */
  delta(delta: SummaryDelta): void;
  /** Resolves once everything received so far has been handed on or dropped. */
  idle(): Promise<void>;
}

/**
 * The receiving side of the summary stream. Parts arrive in order and together (the server sends
 * them in one synchronous step over one connection), so a part 0 starts a snapshot and the last one
 * completes it; a part out of that order (never seen on one connection), or one that does not
 * inflate within MAX_INFLATED_PART_BYTES or parse, drops what was gathered. Inflating is
 * asynchronous, so every message waits for the ones before it: a delta sent after a snapshot is
 * handed on after that snapshot, as the per-view rule needs. A delta with nothing ahead of it is
 * handed on at once.
 */
export function receiveSummary(onSnapshot: (snapshot: SummarySnapshot) => void, onDelta: (delta: SummaryDelta) => void = () => {}, limit = MAX_INFLATED_PART_BYTES): SummaryReceiver {
  let pending: SummarySnapshotPart | undefined;
  let services: ServiceSummary[] = [];
  /** The last message still waiting to be handed on; undefined when none is. */
  let tail: Promise<void> | undefined;

  const gather = (part: SummarySnapshotPart): void => {
    if (part.part === 0) {
      services = [];
    } else if (!pending || part.seq !== pending.seq || part.epoch !== pending.epoch || part.part !== pending.part + 1) {
      pending = undefined;
      return;
    }
    pending = part;
    for (const summary of part.services) services.push(summary);
    if (part.part < part.parts - 1) return;
    const { epoch, seq, revision, registry } = part;
    pending = undefined;
    onSnapshot({ epoch, seq, revision, registry, services });
  };
  const enqueue = (step: () => void | Promise<void>): void => {
    const handed = (tail ?? Promise.resolve()).then(step);
    // The chain goes on past a handler that throws; the error surfaces as a thrown handler's would.
    const settled = handed.then(
      () => undefined,
      (error: unknown) => queueMicrotask(() => {
        throw error;
      }),
    );
    tail = settled;
    void settled.then(() => {
      if (tail === settled) tail = undefined;
    });
  };

  return {
    part(data) {
      // Inflated and parsed as soon as it arrives (parts side by side), handed on in order.
      // An ArrayBuffer (the browser's) is viewed; a Uint8Array (Node's Buffer) is copied, a few KB, into the ArrayBuffer-backed view web streams take.
      const parsed = inflateText(new Uint8Array(data), limit)
        .then((text) => JSON.parse(text) as SummarySnapshotPart)
        .catch(() => undefined);
      enqueue(async () => {
        const part = await parsed;
        if (part) gather(part);
        else pending = undefined;
      });
    },
    delta(delta) {
      if (tail) enqueue(() => onDelta(delta));
      else onDelta(delta);
    },
    idle: async () => {
      while (tail) await tail;
    },
  };
}

/** A receiver of snapshot parts alone (a first view's timing, a test's first snapshot). */
export function receiveSummaryParts(onSnapshot: (snapshot: SummarySnapshot) => void): (data: ArrayBuffer | Uint8Array) => void {
  return receiveSummary(onSnapshot).part;
}
