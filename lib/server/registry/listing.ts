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

const FIRST_PAGE_LIMIT = 512;
const MAX_PAGE_LIMIT = 32_768;
/** A page this small in bytes doubles the next one: well under gRPC's 4 MiB receive limit. */
const PAGE_BYTES = 1024 * 1024;

/**
 * Lists every key under `prefix` at one revision, page by page so a keyspace with large values
 * never exceeds the gRPC message limit (a page that does is retried at half the size). Pages of
 * small registrations grow, so a big fleet costs few round trips (10,000 keys: 5 instead of 20).
 */
export async function listPrefix(
  client: Etcd3,
  prefix: string,
  atRevision: string | undefined,
): Promise<{ revision: string; clusterId: string; kvs: IKeyValue[] }> {
  const { key, rangeEnd } = prefixRange(prefix);
  const kvs: IKeyValue[] = [];
  let revision = atRevision;
  let clusterId = '';
  let from = key;
  let limit = FIRST_PAGE_LIMIT;
  for (;;) {
    let response;
    try {
      response = await client.kv.range({
        key: from,
        range_end: rangeEnd,
        limit: String(limit),
        ...(revision ? { revision } : {}),
      });
    } catch (error) {
      if (limit > 1 && error instanceof Error && /larger than max/i.test(error.message)) {
        limit = Math.max(1, Math.floor(limit / 2));
        continue;
      }
      throw error;
    }
    revision ??= response.header.revision;
    clusterId = response.header.cluster_id;
    let bytes = 0;
    for (const kv of response.kvs) {
      kvs.push(kv);
      bytes += kv.key.length + kv.value.length;
    }
    const last = response.kvs[response.kvs.length - 1];
    if (!response.more || !last) break;
    from = Buffer.concat([last.key, Buffer.from([0])]);
    if (bytes * 2 <= PAGE_BYTES && limit < MAX_PAGE_LIMIT) limit *= 2;
  }
  return { revision: revision ?? '0', clusterId, kvs };
}
