import type { RawEntry, Registration } from '@/lib/model/registration';

/**
 * Decodes one etcd entry into the instances it registers (usually one; go-micro values may list
 * several nodes). Returns null when the key is not a registration Switchyard recognises.
 * Never throws, whatever the bytes.
 */
export function decodeEntry(_entry: RawEntry): Registration[] | null {
  return null;
}
