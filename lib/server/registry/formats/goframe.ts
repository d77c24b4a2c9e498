import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, keySegments, metadataFrom, metadataOf, optionalText, readJsonObject, weightOf } from './util';

/**
 * gsvc's Metadata map, marshalled as the whole value (`{"insecure":true,"protocol":"http"}` for ghttp).
 * Kept unknown: readJsonObject only passes objects, and metadataOf rebuilds them without unsafe keys.
 */
const GoFrameValue = z.unknown();

/**
 * GoFrame `net/gsvc` through `contrib/registry/etcd`: a leased
 * `/<head>/<deployment>/<namespace>/<name>/<version>/<endpoints>` (defaults `/service/default/default/…/latest/…`)
 * whose last segment lists the listened `host:port`s, comma-separated, and whose value is the
 * metadata. One process is one instance, however many endpoints it lists.
 */
function decodeGoFrame(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const [, deployment, namespace, name, version, endpointList] = segments;
  if (segments.length !== 6 || !entry.key.startsWith('/') || !name || !endpointList || !deployment || !namespace) return null;
  const endpoints = endpointList.split(',');
  const value = readJsonObject(entry.value, GoFrameValue);
  if (value === undefined || !endpoints.every(isHostPort) || !endpoints[0]) return null;
  const metadata = metadataOf(value);
  return [
    {
      service: name,
      id: endpointList,
      address: endpoints[0],
      format: 'goframe',
      version: optionalText(version),
      weight: weightOf(metadata.weight),
      metadata: { ...metadata, ...metadataFrom([['deployment', deployment], ['namespace', namespace], ['endpoints', endpointList]]) },
    },
  ];
}

export const goFrame: RegistryFormat = {
  id: 'goframe',
  framework: 'GoFrame (gogf/gf `net/gsvc`, contrib/registry/etcd)',
  key: '`/service/<deployment>/<namespace>/<name>/<version>/<host:port>[,<host:port>…]` (defaults `default`, `default`, `latest`)',
  value: 'the metadata map, e.g. `{"insecure":true,"protocol":"http"}`',
  naming: 'service = the name segment; id = the endpoints segment; deployment and namespace go to metadata',
  decode: decodeGoFrame,
  demo: {
    prefix: (service) => `/service/default/default/${service}/`,
    carriesMetadata: true,
    write: ({ service, address, version, zone, metadata }) => {
      // encoding/json (under gjson) sorts map keys.
      const sorted = Object.entries({ insecure: true, protocol: 'http', zone, ...metadata }).sort(([a], [b]) => (a < b ? -1 : 1));
      return { key: `/service/default/default/${service}/${version}/${address}`, value: JSON.stringify(Object.fromEntries(sorted)) };
    },
  },
};
