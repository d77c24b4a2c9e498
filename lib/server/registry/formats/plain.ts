import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, keySegments, serviceBeforeInstance, valueText } from './util';

/** The classic tutorial layout: `/<any prefix>/<service>/<host:port>`, value empty or the address. */
function decodePlain(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const address = segments.at(-1) ?? '';
  const service = serviceBeforeInstance(segments);
  const value = valueText(entry.value);
  if (!service || !isHostPort(address) || (value !== '' && value !== address)) return null;
  return [{ service, id: address, address, format: 'plain', metadata: {} }];
}

export const plain: RegistryFormat = {
  id: 'plain',
  framework: 'the classic Go tutorial (clientv3 `Put` with a lease)',
  key: '`/<any prefix>/<service>/<host:port>`',
  value: 'empty, or the address',
  naming: 'service = the segment before the address; id = the address',
  decode: decodePlain,
  demo: {
    prefix: (service) => `/registry/${service}/`,
    carriesMetadata: false,
    write: ({ service, address }) => ({ key: `/registry/${service}/${address}`, value: address }),
  },
};
