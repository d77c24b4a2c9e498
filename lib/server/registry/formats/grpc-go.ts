import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, keyParent, keySegments, metadataFrom, metadataOf, readJsonObject } from './util';

/**
 * What grpc-go's etcd naming (etcd client v3 `naming/endpoints`, and the older grpc `naming.Update`)
 * stores: Go field names without JSON tags. Some writers use lower-case names instead.
 */
const GrpcValue = z.object({
  Op: z.number().nullish(),
  op: z.number().nullish(),
  Addr: z.string().nullish(),
  addr: z.string().nullish(),
  Metadata: z.unknown().optional(),
  metadata: z.unknown().optional(),
});

const DELETE_OP = 1;

/** `<target>/<addr>` with an endpoint JSON value; the service is the target. */
export function decodeGrpcGo(entry: RawEntry): Registration[] | null {
  const value = readJsonObject(entry.value, GrpcValue);
  const address = value?.Addr ?? value?.addr;
  const id = keySegments(entry.key).at(-1);
  if (!value || !address || !isHostPort(address) || !id) return null;
  const rawMetadata = value.Metadata ?? value.metadata;
  /*
   * Op 1 ("delete") is kept as an offline instance rather than dropped: etcd's own manager deletes
   * the key instead of writing Op 1, so a stored Op 1 is a marker someone set (jupiter does this to
   * take a node out), and while the key lives the operator should still see the instance.
   */
  const offline = (value.Op ?? value.op) === DELETE_OP;
  return [
    {
      service: keyParent(entry.key),
      id,
      address,
      format: 'grpc-go',
      // Metadata is an arbitrary Go value: a map is flattened, a scalar is kept under "metadata".
      metadata: typeof rawMetadata === 'object' ? metadataOf(rawMetadata) : metadataFrom([['metadata', rawMetadata]]),
      ...(offline && { offline }),
    },
  ];
}
