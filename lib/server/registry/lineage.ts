import { randomUUID } from 'node:crypto';
import { EtcdPermissionDeniedError, type Etcd3, type IKeyValue } from 'etcd3';

/**
 * A lineage is one unbroken history of an etcd keyspace. Create revisions identify a
 * registration only within one: a cluster restored from a backup, or a fresh one (even with the
 * same cluster id, which a fresh etcd with the same name, peer URL and token gets), hands out the
 * same revisions again. The lineage id is a random marker stored once under the control prefix,
 * so every dashboard on the etcd agrees on it, and replaced when the keyspace is seen to be
 * behind what this lineage already reached (restored) or in another cluster (copied).
 */
export interface LineageRecord {
  clusterId: string;
  /** The highest revision seen in this lineage. */
  highestRevision: string;
  seenMs: number;
}

/** What this database knows of lineages; kept outside etcd, which a restore would roll back with the rest. */
export interface LineageBook {
  all(): ReadonlyMap<string, LineageRecord>;
  /** This lineage reached `revision` on `clusterId`. */
  record(id: string, clusterId: string, revision: string): void;
}

export const lineageKey = (controlPrefix: string): string => `${controlPrefix}lineage`;

/** Part of every registration's natural key (`lineage:revision:…`), so it never holds a colon. */
const LINEAGE_ID = /^[A-Za-z0-9-]{1,64}$/;

const readMarker = (kv: IKeyValue | undefined): string | undefined => {
  const value = kv?.value.toString('utf8');
  return value !== undefined && LINEAGE_ID.test(value) ? value : undefined;
};

/** Keeps the book in memory and hands every change to `persist` (at most one per call to `record`). */
export function createLineageBook(initial: Iterable<[string, LineageRecord]>, persist: (id: string, record: LineageRecord) => void = () => undefined, now: () => number = Date.now): LineageBook {
  const records = new Map(initial);
  return {
    all: () => records,
    record(id, clusterId, revision) {
      const previous = records.get(id);
      if (previous && previous.clusterId === clusterId && BigInt(previous.highestRevision) >= BigInt(revision)) return;
      const next = { clusterId, highestRevision: revision, seenMs: now() };
      records.set(id, next);
      persist(id, next);
    },
  };
}

export interface LineageInput {
  client: Etcd3;
  controlPrefix: string;
  /** The marker key as listed at `revision` (undefined: absent). */
  marker: IKeyValue | undefined;
  clusterId: string;
  revision: string;
  book: LineageBook;
  newId?: () => string;
}

/** The lineage of the keyspace just listed; writes or replaces the marker when needed. */
export async function resolveLineage(input: LineageInput): Promise<{ lineage: string; change?: string }> {
  const { client, marker, clusterId, revision, book } = input;
  const newId = input.newId ?? randomUUID;
  const key = lineageKey(input.controlPrefix);
  const records = book.all();
  const current = readMarker(marker);

  /** Without write access to the marker: a lineage of our own, reused while the cluster keeps moving forward. */
  const fallback = (): string => {
    let latest: [string, LineageRecord] | undefined;
    for (const entry of records) if (entry[1].clusterId === clusterId && (!latest || entry[1].seenMs > latest[1].seenMs)) latest = entry;
    if (latest && BigInt(revision) >= BigInt(latest[1].highestRevision)) return latest[0];
    return records.has(clusterId) ? `${clusterId}-${newId()}` : clusterId;
  };

  const write = async (fresh: string, condition: 'absent' | 'unchanged'): Promise<string> => {
    try {
      const guarded = condition === 'absent' ? client.if(key, 'Create', '==', 0) : client.if(key, 'Mod', '==', marker?.mod_revision ?? '0');
      const result = await guarded.then(client.put(key).value(fresh)).else(client.get(key)).commit();
      if (result.succeeded) return fresh;
      // Another dashboard wrote it first: theirs holds for everyone.
      const theirs = readMarker(result.responses[0]?.response_range?.kvs[0]);
      if (theirs && theirs !== current) return theirs;
    } catch (error) {
      // Read-only credentials: a lineage of our own. Anything else (etcd went away) fails this listing, and the next one tries again.
      if (!(error instanceof EtcdPermissionDeniedError)) throw error;
    }
    return fallback();
  };

  if (current !== undefined) {
    const seen = records.get(current);
    if (!seen || (seen.clusterId === clusterId && BigInt(revision) >= BigInt(seen.highestRevision))) return { lineage: current };
    const why = seen.clusterId !== clusterId ? `its marker now lives in cluster ${clusterId}, not ${seen.clusterId}` : `revision ${revision} is behind ${seen.highestRevision}, already seen`;
    return { lineage: await write(newId(), 'unchanged'), change: `etcd was restored or copied (${why}): registrations from here on are a new lineage` };
  }
  if (marker) return { lineage: await write(newId(), 'unchanged'), change: 'the lineage marker was unreadable: registrations from here on are a new lineage' };
  // The first lineage a database records is named after the cluster id: events recorded before markers existed stay continuous.
  return { lineage: await write(records.size === 0 ? clusterId : newId(), 'absent') };
}

/**
 * The marker was deleted while we watched without a gap, so the keyspace is still `lineage`: put it
 * back (if nobody did) rather than let the next listing start a new lineage. Without write access
 * it stays absent.
 */
export async function putMarkerBack(client: Etcd3, controlPrefix: string, lineage: string): Promise<void> {
  const key = lineageKey(controlPrefix);
  await client
    .if(key, 'Create', '==', 0)
    .then(client.put(key).value(lineage))
    .commit()
    .catch(() => undefined);
}
