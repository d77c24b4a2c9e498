import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, keySegments, metadataFrom, metadataOf, readJsonObject, serviceBeforeInstance } from './util';

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

/** `<target>/<key>` with an endpoint JSON value; the service is the target's last segment. */
function decodeGrpcGo(entry: RawEntry): Registration[] | null {
  const value = readJsonObject(entry.value, GrpcValue);
  const address = value?.Addr ?? value?.addr;
  const segments = keySegments(entry.key);
  const id = segments.at(-1);
  const service = serviceBeforeInstance(segments);
  if (!value || !address || !isHostPort(address) || !id || !service) return null;
  const rawMetadata = value.Metadata ?? value.metadata;
  /*
   * Op 1 ("delete") is kept as an offline instance rather than dropped: etcd's own manager deletes
   * the key instead of writing Op 1, so a stored Op 1 is a marker someone set (jupiter does this to
   * take a node out), and while the key lives the operator should still see the instance.
   */
  const offline = (value.Op ?? value.op) === DELETE_OP;
  return [
    {
      service,
      id,
      address,
      format: 'grpc-go',
      // Metadata is an arbitrary Go value: a map is flattened, a scalar is kept under "metadata".
      metadata: typeof rawMetadata === 'object' ? metadataOf(rawMetadata) : metadataFrom([['metadata', rawMetadata]]),
      ...(offline && { offline }),
    },
  ];
}

export const grpcGo: RegistryFormat = {
  id: 'grpc-go',
  framework: 'grpc-go etcd naming (etcd client/v3/naming/endpoints)',
  key: '`<target>/<endpoint key>`, e.g. `foo/bar/my-service/10.0.0.1:50051`',
  value: '`{"Op":0,"Addr":"h:p","Metadata":…}`',
  naming: 'service = the target\'s last segment (`my-service`); id = the last key segment',
  decode: decodeGrpcGo,
  demo: {
    prefix: (service) => `${service}/`,
    carriesMetadata: true,
    write: ({ service, address, zone, metadata }) => ({
      key: `${service}/${address}`,
      value: JSON.stringify({ Op: 0, Addr: address, Metadata: { zone, ...metadata } }),
    }),
  },
};
