import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, keyParent, keySegments, valueText } from './util';

const DECIMAL = /^\d{1,20}$/;
/** Lease ids are random positive int64s, so a real one almost always has this many digits or more. */
const MIN_UNLEASED_DIGITS = 12;

/**
 * go-zero (zrpc) publishes `<Etcd.Key>/<leaseID in decimal>` with the listen address as the value.
 * The strong signal is the last segment equalling the entry's own lease id; a long decimal segment
 * is accepted too, for entries read without their lease (e.g. from a snapshot).
 */
export function decodeGoZero(entry: RawEntry): Registration[] | null {
  const id = keySegments(entry.key).at(-1) ?? '';
  const address = valueText(entry.value);
  const isLeaseId = DECIMAL.test(id) && (entry.lease === id || id.length >= MIN_UNLEASED_DIGITS);
  if (!isLeaseId || !isHostPort(address)) return null;
  return [{ service: keyParent(entry.key), id, address, format: 'go-zero', metadata: {} }];
}
