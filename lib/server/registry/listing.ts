import type { Etcd3, IKeyValue } from 'etcd3';

const ALL_KEYS = Buffer.from([0]);

/** The [key, range_end) that etcd uses for "every key under this prefix" ('' = the whole keyspace). */
export function prefixRange(prefix: string): { key: Buffer; rangeEnd: Buffer } {
  if (prefix.length === 0) return { key: ALL_KEYS, rangeEnd: ALL_KEYS };
  const key = Buffer.from(prefix);
  const end = Buffer.from(key);
  for (let i = end.length - 1; i >= 0; i -= 1) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return { key, rangeEnd: end.subarray(0, i + 1) };
    }
  }
  return { key, rangeEnd: ALL_KEYS };
}

const FIRST_PAGE_LIMIT = 2_048;
const MAX_PAGE_LIMIT = 131_072;
/**
 * Pages grow fourfold while four times the last one stays within this many bytes: well under the
 * client's receive limit (`LISTING_RECEIVE_BYTES`), and few round trips for a big fleet — etcd counts
 * the rest of the range on every page, so page count is what a paged listing pays over one range.
 */
const PAGE_BYTES = 8 * 1024 * 1024;
/** The gRPC receive limit the etcd client needs for the largest page above (gRPC's default is 4 MiB). */
export const LISTING_RECEIVE_BYTES = 32 * 1024 * 1024;

/**
 * Lists every key under `prefix` at one revision, page by page so a keyspace with large values
 * never exceeds the gRPC message limit (a page that does is retried at half the size). Pages of
 * small registrations grow, so a big fleet costs few round trips (10,000 keys: 2 instead of 20).
 * Each page goes to `onPage` while the next one is already being fetched, and is not kept.
 */
export async function listPages(
  client: Etcd3,
  prefix: string,
  atRevision: string | undefined,
  onPage: (kvs: IKeyValue[]) => void,
): Promise<{ revision: string; clusterId: string }> {
  const { key, rangeEnd } = prefixRange(prefix);
  let revision = atRevision;
  let clusterId = '';
  let from = key;
  let limit = FIRST_PAGE_LIMIT;
  const fetch = () => client.kv.range({ key: from, range_end: rangeEnd, limit: String(limit), ...(revision ? { revision } : {}) });
  let next = fetch();
  for (;;) {
    let response;
    try {
      response = await next;
    } catch (error) {
      if (limit > 1 && error instanceof Error && /larger than max/i.test(error.message)) {
        limit = Math.max(1, Math.floor(limit / 2));
        next = fetch();
        continue;
      }
      throw error;
    }
    revision ??= response.header.revision;
    clusterId = response.header.cluster_id;
    const last = response.kvs[response.kvs.length - 1];
    const more = response.more && last !== undefined;
    if (more) {
      let bytes = 0;
      for (const kv of response.kvs) bytes += kv.key.length + kv.value.length;
      if (bytes * 4 <= PAGE_BYTES) limit = Math.min(MAX_PAGE_LIMIT, limit * 4);
      from = Buffer.concat([last.key, Buffer.from([0])]);
      next = fetch();
    }
    try {
      onPage(response.kvs);
    } catch (error) {
      // The next page, already asked for, is not awaited any more: its failure is nobody's.
      if (more) next.catch(() => undefined);
      throw error;
    }
    if (!more) break;
  }
  return { revision: revision ?? '0', clusterId };
}

/** `listPages`, collected. */
export async function listPrefix(
  client: Etcd3,
  prefix: string,
  atRevision: string | undefined,
): Promise<{ revision: string; clusterId: string; kvs: IKeyValue[] }> {
  const kvs: IKeyValue[] = [];
  const listed = await listPages(client, prefix, atRevision, (page) => {
    for (const kv of page) kvs.push(kv);
  });
  return { ...listed, kvs };
}
