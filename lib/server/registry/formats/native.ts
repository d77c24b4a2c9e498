import { z } from 'zod';
import type { HealthCheck } from '@/lib/model/instance';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, isName, metadataOf, optionalText, readJsonObject, weightOf } from './util';

const MAX_DEPENDENCIES = 64;

const NativeKey = /^\/services\/([^/]+)\/([^/]+)$/;

/** Switchyard's own format (DESIGN §3). Optional fields accept null, as Go writes for nil values. */
const NativeValue = z.object({
  address: z.string(),
  version: z.string().nullish(),
  zone: z.string().nullish(),
  weight: z.number().nullish(),
  metadata: z.unknown().optional(),
  health: z.object({ http: z.string().nullish(), grpc: z.boolean().nullish() }).nullish(),
  dependsOn: z.array(z.string()).nullish(),
});
type NativeHealth = z.infer<typeof NativeValue>['health'];

/** `/services/<service>/<instance-id>` with our JSON value. */
function decodeNative(entry: RawEntry): Registration[] | null {
  const key = NativeKey.exec(entry.key);
  // The key first: parsing every other format's value as ours would cost a JSON parse per key.
  if (!key?.[1] || !key[2]) return null;
  const value = readJsonObject(entry.value, NativeValue);
  if (!value || !isHostPort(value.address)) return null;
  const dependsOn = value.dependsOn?.filter(isName).slice(0, MAX_DEPENDENCIES);
  return [
    {
      service: key[1],
      id: key[2],
      address: value.address,
      format: 'native',
      version: optionalText(value.version),
      zone: optionalText(value.zone),
      weight: weightOf(value.weight),
      metadata: metadataOf(value.metadata),
      health: healthOf(value.health),
      dependsOn: dependsOn?.length ? dependsOn : undefined,
    },
  ];
}

/**
 * Only a path may be declared for HTTP probes: the prober appends it to the registered address,
 * so anything not starting with "/" (e.g. "@evil.example/") could redirect the probe elsewhere.
 */
function healthOf(raw: NativeHealth): HealthCheck | undefined {
  const http = raw?.http?.startsWith('/') && isName(raw.http) ? raw.http : undefined;
  const grpc = raw?.grpc ?? undefined;
  return http !== undefined || grpc !== undefined ? { http, grpc } : undefined;
}

export const native: RegistryFormat = {
  id: 'native',
  framework: 'Switchyard (ours)',
  key: '`/services/<service>/<instance-id>`',
  value: '`{"address","version"?,"zone"?,"weight"?,"metadata"?,"health"?,"dependsOn"?}`',
  naming: 'service and id from the key',
  decode: decodeNative,
  demo: {
    prefix: (service) => `/services/${service}/`,
    carriesMetadata: true,
    write: ({ service, id, address, version, zone, metadata, dependsOn }) => ({
      key: `/services/${service}/${id}`,
      value: JSON.stringify({ address, version, zone, metadata, health: { http: '/healthz' }, dependsOn }),
    }),
  },
};
