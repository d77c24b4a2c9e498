import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, metadataFrom, metadataOf, optionalText, readJsonObject, weightOf } from './util';

/** jupiter's server.ServiceInfo (json tags), the value before v0.10 and `MetadataX` since. */
const ServiceInfo = z.object({
  name: z.string().nullish(),
  scheme: z.string().nullish(),
  address: z.string().nullish(),
  weight: z.number().nullish(),
  enable: z.boolean().nullish(),
  healthy: z.boolean().nullish(),
  metadata: z.unknown().optional(),
  region: z.string().nullish(),
  zone: z.string().nullish(),
  version: z.string().nullish(),
  mode: z.string().nullish(),
  group: z.string().nullish(),
});
type ServiceInfo = z.infer<typeof ServiceInfo>;

/** Up to v0.9: `/<prefix>/<name>/providers/<scheme>://<host:port>[?query]`, value the ServiceInfo. */
const ProviderKey = /^\/[^/]+\/([^/]+)\/providers\/([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)(?:\?[^/]*)?$/;
/** Since v0.10: `<scheme>:<name>:v1:<mode>/<host:port>`, value a naming update wrapping the ServiceInfo. */
const RegistryNameKey = /^([A-Za-z][A-Za-z0-9+.-]*):([^:/]+):([^:/]+):([^/]+)\/([^/]+)$/;
/**
 * A governor's metrics endpoint for Prometheus discovery, valued its address:
 * `/prometheus/job/<app>/<hostname>/<host:port>` (older: `/prometheus/job/<app>/<hostname>`).
 */
const PrometheusJobKey = /^\/prometheus\/job\/[^/]+\/[^/]+(?:\/[^/]+)?$/;
const Update = z.object({ Op: z.number(), Addr: z.string(), MetadataX: ServiceInfo.nullish() });

const DELETE_OP = 1;

function registration(service: string, scheme: string, address: string, info: ServiceInfo | null | undefined, offline: boolean): Registration[] | null {
  if (!isHostPort(address)) return null;
  // jupiter's own resolver skips providers that are disabled or unhealthy.
  const out = offline || info?.enable === false || info?.healthy === false;
  const metadata = metadataOf(info?.metadata);
  return [
    {
      service,
      id: `${scheme}://${address}`,
      address,
      format: 'jupiter',
      version: optionalText(info?.version) ?? optionalText(metadata.appVersion),
      zone: optionalText(info?.zone),
      weight: weightOf(info?.weight),
      metadata: { ...metadata, ...metadataFrom([['scheme', scheme], ['region', info?.region || undefined], ['group', info?.group || undefined]]) },
      ...(out && { offline: true }),
    },
  ];
}

/**
 * douyu/jupiter's etcdv3 registry, in both the key layouts it has used; id = `<scheme>://<host:port>`.
 * Its Prometheus job keys are known but register no instance (the governor port is not a service).
 */
function decodeJupiter(entry: RawEntry): Registration[] | null {
  if (PrometheusJobKey.test(entry.key)) return [];
  const provider = ProviderKey.exec(entry.key);
  if (provider?.[1] && provider[2] && provider[3]) {
    const info = readJsonObject(entry.value, ServiceInfo);
    return info ? registration(provider[1], provider[2], info.address || provider[3], info, false) : null;
  }
  const named = RegistryNameKey.exec(entry.key);
  if (named?.[1] && named[2] && named[5]) {
    const update = readJsonObject(entry.value, Update);
    return update ? registration(named[2], named[1], update.Addr, update.MetadataX, update.Op === DELETE_OP) : null;
  }
  return null;
}

export const jupiter: RegistryFormat = {
  id: 'jupiter',
  framework: 'douyu/jupiter (pkg/registry/etcdv3)',
  key: 'up to v0.9 `/jupiter/<app>/providers/<scheme>://<host:port>`; since v0.10 `<scheme>:<app>:v1:<mode>/<host:port>`',
  value: 'ServiceInfo `{"name","appId","scheme","address","weight","enable","healthy","metadata",…}`; since v0.10 `{"Op":0,"Addr","MetadataX":{…}}`',
  naming: 'service = the app name; id = `<scheme>://<host:port>`; `enable`/`healthy` false or `Op` 1 = offline; `/prometheus/job/…` governor keys are known, not instances',
  decode: decodeJupiter,
  demo: {
    prefix: (service) => `/jupiter/${service}/providers/`,
    carriesMetadata: true,
    write: ({ service, address, version, zone, metadata }) => ({
      key: `/jupiter/${service}/providers/grpc://${address}`,
      // ServiceInfo's field order; encoding/json sorts the metadata map's keys.
      value: JSON.stringify({
        name: service,
        appId: '',
        scheme: 'grpc',
        address,
        weight: 100,
        enable: true,
        healthy: true,
        metadata: Object.fromEntries(Object.entries({ appVersion: version, ...metadata }).sort(([a], [b]) => (a < b ? -1 : 1))),
        region: '',
        zone,
        kind: 1,
        deployment: '',
        group: '',
        services: null,
      }),
    }),
  },
};
