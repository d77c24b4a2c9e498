import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, metadataFrom, metadataOf, optionalText, readJsonObject } from './util';

/**
 * `/micro/registry/<name>/<node-id>` (go-micro v2–v4 plugins), `/micro/registry/<domain>/<name>/<node-id>`
 * (go-micro v3 with registry domains, default domain `micro`), or the pre-v2 `/micro-registry/` prefix.
 */
const GoMicroKey = /^\/(?:micro\/registry|micro-registry)\/(?:([^/]+)\/)?([^/]+)\/([^/]+)$/;

/** go-micro registry.Service; `endpoints` is not needed and left unchecked. */
const GoMicroValue = z.object({
  version: z.string().nullish(),
  metadata: z.unknown().optional(),
  nodes: z.array(z.object({ id: z.string(), address: z.string(), metadata: z.unknown().optional() })).nullish(),
});

/**
 * One registration per node with a usable address, each identified by its own node id (never its
 * position: nodes may be listed in any order). Node metadata overrides service metadata.
 */
function decodeGoMicro(entry: RawEntry): Registration[] | null {
  const key = GoMicroKey.exec(entry.key);
  const service = key?.[2];
  if (!service) return null;
  const value = readJsonObject(entry.value, GoMicroValue);
  if (!value) return null;
  const domain = metadataFrom(key[1] ? [['domain', key[1]]] : []);
  const registrations = (value.nodes ?? [])
    .filter((node) => isHostPort(node.address))
    .map(
      (node): Registration => ({
        service,
        id: node.id,
        address: node.address,
        format: 'go-micro',
        version: optionalText(value.version),
        metadata: { ...metadataOf(value.metadata), ...domain, ...metadataOf(node.metadata) },
      }),
    );
  return registrations.length > 0 ? registrations : null;
}

export const goMicro: RegistryFormat = {
  id: 'go-micro',
  framework: 'go-micro (registry/etcd)',
  key: '`/micro/registry/<name>/<node-id>`, v3 with domains `/micro/registry/<domain>/<name>/<node-id>` (old: `/micro-registry/`)',
  value: '`{"name","version","metadata","endpoints":[…],"nodes":[{"id","address","metadata"}]}`',
  naming: 'service = the name segment; one instance per node, id = the node `id`; the domain goes to metadata',
  decode: decodeGoMicro,
  demo: {
    prefix: (service) => `/micro/registry/${service}/`,
    carriesMetadata: true,
    write: ({ service, id, address, version, zone, metadata }) => ({
      key: `/micro/registry/${service}/${id}`,
      value: JSON.stringify({
        name: service,
        version,
        metadata: null,
        endpoints: null,
        nodes: [{ id, address, metadata: { zone, protocol: 'http', ...metadata } }],
      }),
    }),
  },
};
