import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import { joinHostPort, metadataFrom, metadataOf, optionalText, parseEndpoint, readJsonObject, weightOf } from './util';

/** `/<root>/<interface>/providers/<url.QueryEscape'd provider URL>`; consumers, routers etc. are not instances. */
const ProviderKey = /^\/?[^/]+\/([^/]+)\/providers\/([^/]+)$/;

/**
 * dubbo-go interface-level registration. The service is the interface (what callers resolve); the
 * application and every other URL parameter go to metadata. The id is the provider URL cut down to
 * what makes it unique per interface: protocol, address, group and version.
 */
export function decodeDubboProvider(entry: RawEntry): Registration[] | null {
  const key = ProviderKey.exec(entry.key);
  const service = key?.[1];
  const url = key?.[2] && queryUnescape(key[2]);
  const endpoint = url ? parseEndpoint(url) : undefined;
  if (!service || !endpoint) return null;
  const queryStart = endpoint.rest.indexOf('?');
  const params = new URLSearchParams(queryStart < 0 ? '' : endpoint.rest.slice(queryStart + 1));
  const identity = new URLSearchParams();
  for (const name of ['group', 'version']) {
    const value = params.get(name);
    if (value) identity.set(name, value);
  }
  const suffix = identity.size > 0 ? `?${identity.toString()}` : '';
  return [
    {
      service,
      id: `${endpoint.scheme}://${endpoint.address}${suffix}`,
      address: endpoint.address,
      format: 'dubbo',
      version: optionalText(params.get('version')),
      weight: weightOf(params.get('weight')),
      metadata: metadataFrom([['protocol', endpoint.scheme], ...params]),
    },
  ];
}

/** Go's url.QueryUnescape: "+" is a space; malformed escapes make the key undecodable. */
function queryUnescape(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

const AppKey = /^\/services\/([^/]+)\/([^/]+)$/;

/** dubbo-go's DefaultServiceInstance, marshalled without JSON tags (hence the capitals). */
const AppValue = z.object({
  ServiceName: z.string(),
  Host: z.string(),
  Port: z.number().int(),
  Weight: z.number().nullish(),
  Enable: z.boolean().nullish(),
  Healthy: z.boolean().nullish(),
  Metadata: z.unknown().optional(),
});

/** dubbo-go application-level registration; shares `/services/` with native, told apart by the value. */
export function decodeDubboApp(entry: RawEntry): Registration[] | null {
  const key = AppKey.exec(entry.key);
  const value = readJsonObject(entry.value, AppValue);
  const address = value && joinHostPort(value.Host, value.Port);
  if (!key?.[1] || !key[2] || !value || !address) return null;
  // Dubbo's own consumers skip instances that are disabled or unhealthy.
  const offline = value.Enable === false || value.Healthy === false;
  return [
    {
      service: key[1],
      id: key[2],
      address,
      format: 'dubbo-app',
      weight: weightOf(value.Weight),
      metadata: metadataOf(value.Metadata),
      ...(offline && { offline }),
    },
  ];
}
