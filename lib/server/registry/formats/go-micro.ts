import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, metadataOf, optionalText, readJsonObject } from './util';

/** `/micro/registry/<name>/<node-id>`, or the pre-v2 `/micro-registry/` prefix. */
const GoMicroKey = /^\/(?:micro\/registry|micro-registry)\/([^/]+)\/([^/]+)$/;

/** go-micro registry.Service; `endpoints` is not needed and left unchecked. */
const GoMicroValue = z.object({
  version: z.string().nullish(),
  metadata: z.unknown().optional(),
  nodes: z.array(z.object({ id: z.string(), address: z.string(), metadata: z.unknown().optional() })).nullish(),
});

/** One registration per node with a usable address; node metadata overrides service metadata. */
export function decodeGoMicro(entry: RawEntry): Registration[] | null {
  const service = GoMicroKey.exec(entry.key)?.[1];
  const value = readJsonObject(entry.value, GoMicroValue);
  if (!service || !value) return null;
  const registrations = (value.nodes ?? [])
    .filter((node) => isHostPort(node.address))
    .map(
      (node): Registration => ({
        service,
        id: node.id,
        address: node.address,
        format: 'go-micro',
        version: optionalText(value.version),
        metadata: { ...metadataOf(value.metadata), ...metadataOf(node.metadata) },
      }),
    );
  return registrations.length > 0 ? registrations : null;
}
