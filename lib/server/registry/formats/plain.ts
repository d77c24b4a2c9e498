import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, keySegments, valueText } from './util';

/** The classic tutorial layout: `/<any prefix>/<service>/<host:port>`, value empty or the address. */
export function decodePlain(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const address = segments.at(-1) ?? '';
  const service = segments.at(-2);
  const value = valueText(entry.value);
  if (segments.length < 3 || !service || !isHostPort(address) || (value !== '' && value !== address)) return null;
  return [{ service, id: address, address, format: 'plain', metadata: {} }];
}
