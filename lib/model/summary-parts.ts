import type { SummarySnapshot } from './live';
import type { ServiceSummary } from './service-summary';

/**
 * The summary snapshot travels in parts of at most this many bytes (issue 19: no message over
 * 2 MB; 10,000 services of a real fleet are ~3.3 MB of summaries).
 */
export const MAX_SUMMARY_PART_BYTES = 1024 * 1024;

/** One part's JSON: the snapshot's header, which part of how many, and a run of its services in order. */
export interface SummarySnapshotPart extends SummarySnapshot {
  part: number;
  parts: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A snapshot as UTF-8 JSON parts, each under MAX_SUMMARY_PART_BYTES unless one summary alone is
 * larger (bounded by the registry's limits). Bytes, so a server sends the same parts to every socket
 * without serialising per socket; `summaryJson` lets it reuse each unchanged summary's JSON.
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

/**
 * The receiving side: parts arrive in order and together (the server sends them in one synchronous
 * step over one connection), so a part 0 starts a snapshot and the last one completes it; a part
 * out of that order (never seen on one connection) drops what was gathered.
 */
export function receiveSummaryParts(onSnapshot: (snapshot: SummarySnapshot) => void): (data: ArrayBuffer | Uint8Array) => void {
  let pending: SummarySnapshotPart | undefined;
  let services: ServiceSummary[] = [];
  return (data) => {
    const part = JSON.parse(decoder.decode(data)) as SummarySnapshotPart;
    if (part.part === 0) {
      pending = part;
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
}
