import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, keySegments, parseEndpoint, valueText } from './util';

/**
 * Last resort for home-grown registries: a key held by a lease whose value, or last segment, is
 * `host:port` or `scheme://host:port` is an instance of the service named by its parent segment.
 * The lease is required because unleased keys like that are far more often configuration.
 */
export function decodeGeneric(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const id = segments.at(-1);
  const service = segments.at(-2);
  if (entry.lease === undefined || !id || !service) return null;
  const address = addressIn(valueText(entry.value)) ?? addressIn(id);
  return address ? [{ service, id, address, format: 'generic', metadata: {} }] : null;
}

function addressIn(text: string): string | undefined {
  return isHostPort(text) ? text : parseEndpoint(text)?.address;
}
