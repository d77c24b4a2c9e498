import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { isHostPort, keySegments, serviceBeforeInstance, valueText } from './util';

const DECIMAL = /^\d{1,20}$/;
/** Lease ids are random positive int64s, so a real one almost always has this many digits or more. */
const MIN_UNLEASED_DIGITS = 12;

/**
 * go-zero (zrpc) publishes `<Etcd.Key>/<leaseID in decimal>` with the listen address as the value.
 * The strong signal is the last segment equalling the entry's own lease id; a long decimal segment
 * is accepted too, for entries read without their lease (e.g. from a snapshot, or `Etcd.ID` set).
 */
function decodeGoZero(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const id = segments.at(-1) ?? '';
  const service = serviceBeforeInstance(segments);
  const address = valueText(entry.value);
  const isLeaseId = DECIMAL.test(id) && (entry.lease === id || id.length >= MIN_UNLEASED_DIGITS);
  if (!isLeaseId || !service || !isHostPort(address)) return null;
  return [{ service, id, address, format: 'go-zero', metadata: {} }];
}

export const goZero: RegistryFormat = {
  id: 'go-zero',
  framework: 'go-zero zrpc (core/discov)',
  key: '`<Etcd.Key>/<lease id in decimal>`, e.g. `user.rpc/7587874236439215621`',
  value: '`host:port`',
  naming: 'service = the last segment of `Etcd.Key` (`services/user.rpc` → `user.rpc`); id = the lease id',
  decode: decodeGoZero,
  demo: {
    prefix: (service) => `${service}/`,
    carriesMetadata: false,
    write: ({ service, address }, leaseId) => ({ key: `${service}/${leaseId}`, value: address }),
  },
};
