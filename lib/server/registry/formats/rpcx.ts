import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, keySegments, metadataFrom, serviceBeforeInstance, valueText, weightOf } from './util';

/** The last key segment of an rpcx instance: `<network>@<host:port>`, e.g. `tcp@10.0.0.1:8972`. */
const ServiceAddress = /^([A-Za-z0-9]+)@(.+)$/;

/** The value rpcx's register plugins put at `<basePath>` to create it as a directory. */
const BASE_PATH_VALUE = 'rpcx_path';

/**
 * rpcx's directory keys: `<basePath>` valued "rpcx_path" and `<basePath>/<service>` valued the
 * service name, both written through libkv, which drops the key's leading `/`.
 */
function isDirectoryKey(entry: RawEntry, segments: string[]): boolean {
  if (entry.key.startsWith('/')) return false;
  const value = valueText(entry.value);
  // An address valued by itself is the tutorial layout (plain), not a directory.
  return value === BASE_PATH_VALUE || (segments.length >= 2 && value === segments.at(-1) && !isHostPort(value));
}

/**
 * `<basePath>/<service>/<network>@<h:p>`, value a URL query string of the server's metadata.
 * Its directory keys are known but register no instance (an empty list).
 */
function decodeRpcx(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const last = segments.at(-1) ?? '';
  if (isDirectoryKey(entry, segments)) return [];
  const service = serviceBeforeInstance(segments);
  const match = ServiceAddress.exec(last);
  if (!service || !match?.[1] || !match[2] || !isHostPort(match[2])) return null;
  const params = new URLSearchParams(valueText(entry.value));
  // rpcx clients drop servers whose metadata says state=inactive.
  const offline = params.get('state') === 'inactive';
  return [
    {
      service,
      id: last,
      address: match[2],
      format: 'rpcx',
      weight: weightOf(params.get('weight')),
      metadata: metadataFrom([['network', match[1]], ...params]),
      ...(offline && { offline }),
    },
  ];
}

export const rpcx: RegistryFormat = {
  id: 'rpcx',
  framework: 'rpcx (rpcxio/rpcx-etcd)',
  key: '`<basePath>/<service>/<network>@<host:port>` (libkv drops the leading `/`)',
  value: 'URL query string of the server metadata, often empty; `state=inactive` = offline',
  naming: 'service = the segment before `<network>@<host:port>`; id = that last segment; the directory keys (`<basePath>` = `rpcx_path`, `<basePath>/<service>` = the name) are known, not instances',
  decode: decodeRpcx,
  demo: {
    prefix: (service) => `/rpcx_demo/${service}/`,
    carriesMetadata: true,
    write: ({ service, address, version, zone, metadata }) => ({
      key: `/rpcx_demo/${service}/tcp@${address}`,
      value: new URLSearchParams({ group: zone, version, zone, ...metadata }).toString(),
    }),
  },
};
