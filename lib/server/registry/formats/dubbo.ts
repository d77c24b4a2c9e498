import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { metadataFrom, optionalText, parseEndpoint, weightOf } from './util';

/** `/<root>/<interface>/providers/<url.QueryEscape'd provider URL>`; consumers, routers etc. are not instances. */
const ProviderKey = /^\/?[^/]+\/([^/]+)\/providers\/([^/]+)$/;

/**
 * dubbo-go interface-level registration. The service is the interface (what callers resolve); the
 * application and every other URL parameter go to metadata. The id is the provider URL cut down to
 * what makes it unique per interface: protocol, address, group and version.
 */
function decodeDubboProvider(entry: RawEntry): Registration[] | null {
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

/** The interface a demo service exports; interface-level dubbo registers that, not the app name. */
const demoInterface = (service: string): string => `com.example.${service}.Provider`;

export const dubbo: RegistryFormat = {
  id: 'dubbo',
  framework: 'dubbo-go, interface level',
  key: '`/dubbo/<interface>/providers/<url.QueryEscape(provider URL)>`',
  value: 'empty',
  naming: 'service = the interface segment; id = protocol, address, group and version of the provider URL',
  decode: decodeDubboProvider,
  demo: {
    prefix: (service) => `/dubbo/${demoInterface(service)}/providers/`,
    registeredName: demoInterface,
    carriesMetadata: true,
    write: ({ service, address, version, zone, metadata }) => {
      const params = new URLSearchParams({ application: service, interface: demoInterface(service), version, side: 'provider', zone, ...metadata });
      const url = `dubbo://${address}/${demoInterface(service)}?${params.toString()}`;
      return { key: `/dubbo/${demoInterface(service)}/providers/${encodeURIComponent(url)}`, value: '' };
    },
  },
};
