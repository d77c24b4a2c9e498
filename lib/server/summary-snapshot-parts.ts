import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { SummarySnapshot } from '@/lib/model/live';
import { summaryJson } from '@/lib/model/service-summary';
import { encodeSummaryParts } from '@/lib/model/summary-parts';

const gzipAsync = promisify(gzip);

/**
 * gzip level of the summary snapshot parts, measured at 10,000 services (3.9 MB of JSON in 12
 * parts): level 1 → 197 KB in ~7 ms of CPU, 3 → 169 KB in ~8 ms, 6 → 134 KB in ~25 ms, 9 → 125 KB
 * in ~35-50 ms; every level inflates in about the same time. Level 3 keeps the speed of the fastest
 * levels (a busy fleet changes the snapshot every 100 ms) at 23× smaller.
 */
export const SUMMARY_GZIP_LEVEL = 3;

/** The parts of each summary snapshot, compressed once however many sockets receive it (an incident brings many at once). */
const compressedSnapshots = new WeakMap<SummarySnapshot, Promise<Uint8Array[]>>();

/**
 * A snapshot's parts (lib/model/summary-parts.ts) gzip-compressed, each on libuv's threadpool, not
 * the event loop. Keyed by the snapshot itself, so parts are always those of the snapshot whose
 * header they carry; a failure is forgotten, so the next request compresses again.
 */
export function compressedSummaryParts(snapshot: SummarySnapshot): Promise<Uint8Array[]> {
  let parts = compressedSnapshots.get(snapshot);
  if (!parts) {
    const compressing = Promise.all(encodeSummaryParts(snapshot, summaryJson).map((part) => gzipAsync(part, { level: SUMMARY_GZIP_LEVEL })));
    parts = compressing;
    compressedSnapshots.set(snapshot, compressing);
    compressing.catch(() => {
      if (compressedSnapshots.get(snapshot) === compressing) compressedSnapshots.delete(snapshot);
    });
  }
  return parts;
}
