import type { RawEntry, Registration } from '@/lib/model/registration';
import type { DecodeOptions, RegistryFormat } from './format';
import { isHostPort, keySegments, parseEndpoint, serviceBeforeInstance, valueText } from './util';

/** Decimal ids (lease ids, `Etcd.ID`, ordinal instance numbers) name instances, never services. */
const NUMBER = /^\d{1,20}$/;

/**
 * Last resort for home-grown registries: a key whose value, or last segment, is `host:port` or
 * `scheme://host:port`. Which segment names the service (README "Naming and leases"):
 * - the key ends in the instance's own segment when it has three or more segments, or when its
 *   last segment is an address or a number: the service is the segment before it;
 * - otherwise the key names only the service (`/my-service`, `/api/users`): its last segment is
 *   the service and the address is the instance id.
 * Unleased keys like that are far more often configuration, so they count only under prefixes
 * the operator named.
 */
function decodeGeneric(entry: RawEntry, options: DecodeOptions = {}): Registration[] | null {
  if (entry.lease === undefined && !options.trustUnleased) return null;
  const segments = keySegments(entry.key);
  const last = segments.at(-1) ?? '';
  const lastIsAddress = isHostPort(last);
  const address = addressIn(valueText(entry.value)) ?? (lastIsAddress ? last : undefined);
  if (!last || !address) return null;
  const endsInInstance = segments.length >= 3 || lastIsAddress || NUMBER.test(last);
  const service = endsInInstance ? serviceBeforeInstance(segments) : last;
  const id = endsInInstance ? last : address;
  return service ? [{ service, id, address, format: 'generic', metadata: {} }] : null;
}

function addressIn(text: string): string | undefined {
  return isHostPort(text) ? text : parseEndpoint(text)?.address;
}

export const generic: RegistryFormat = {
  id: 'generic',
  framework: 'home-grown registries, e.g. `client.Put(ctx, "/my-service", "http://localhost:8080", clientv3.WithLease(id))`',
  key: 'any key; leased, or unleased under `SWITCHYARD_PREFIXES`',
  value: '`host:port` or `scheme://host:port` (or the last key segment is one)',
  naming: '`…/<service>/<instance>` for three or more segments or an address/number last; else the last segment is the service and the address the id',
  decode: decodeGeneric,
  demo: {
    prefix: (service) => `/apps/${service}/`,
    carriesMetadata: false,
    write: ({ service, id, address }) => ({ key: `/apps/${service}/${id}`, value: `http://${address}` }),
  },
};
