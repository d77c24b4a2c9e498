import type { RawEntry, Registration } from '@/lib/model/registration';
import type { DecodeOptions } from './formats/format';
import { REGISTRY_FORMATS } from './formats/index';
import { isName, MAX_ADDRESS_CHARS } from './formats/util';

/** Registration values are small; anything bigger is refused before any decoder reads it. */
export const MAX_VALUE_BYTES = 64 * 1024;

const CONTROL_PREFIX = '/switchyard/';

/**
 * Decodes one etcd entry into the instances it registers (usually one; go-micro values may list
 * several nodes), trying REGISTRY_FORMATS in order. Returns null when the key is not a registration
 * Switchyard recognises, and an empty list for a key it knows that registers no instance (rpcx's
 * directory keys, jupiter's Prometheus job keys). Never throws, whatever the bytes.
 *
 * Each instance's `id` comes from the registration itself (a node id, an address, a lease id),
 * never from its position in the value, and is unique within the entry: a repeated id keeps its
 * first registration. An entry without a lease marks its instances `unleased` (they cannot expire).
 */
export function decodeEntry(entry: RawEntry, options: DecodeOptions = {}): Registration[] | null {
  if (entry.key.startsWith(CONTROL_PREFIX) || entry.value.length > MAX_VALUE_BYTES) return null;
  try {
    for (const format of REGISTRY_FORMATS) {
      const registrations = format.decode(entry, options);
      // The first format to claim an entry owns it: a registration breaking a cap rejects the entry.
      if (registrations) return registrations.every(withinCaps) ? finish(registrations, entry.lease === undefined) : null;
    }
  } catch {
    // Decoders are written not to throw; this only keeps a missed case from reaching the watcher.
  }
  return null;
}

function finish(registrations: Registration[], unleased: boolean): Registration[] {
  // Decoders build fresh objects for every call, so they are completed in place: no copy per key.
  const unique = registrations.length < 2 ? registrations : firstOfEachId(registrations);
  for (const registration of unique) {
    addConventionalFields(registration);
    if (unleased) registration.unleased = true;
  }
  return unique;
}

function firstOfEachId(registrations: Registration[]): Registration[] {
  const byId = new Map<string, Registration>();
  for (const registration of registrations) if (!byId.has(registration.id)) byId.set(registration.id, registration);
  return [...byId.values()];
}

/**
 * Whether Switchyard recognises the entry (`decodeEntry` did not return null). An empty list is a
 * key a framework writes beside its registrations: recognised, no instance, not listed on Diagnostics.
 */
export function isRecognised(decoded: Registration[] | null): decoded is Registration[] {
  return decoded !== null;
}

/** Names and ids come from strangers: non-empty and bounded, or the entry is refused. */
function withinCaps(registration: Registration): boolean {
  return isName(registration.service) && isName(registration.id) && registration.address.length <= MAX_ADDRESS_CHARS;
}

/**
 * Frameworks without a zone or version field carry them as metadata (kratos metadata, go-micro
 * node metadata, kitex/hertz tags, rpcx query): `zone`/`version` there fill the missing fields.
 */
function addConventionalFields(registration: Registration): void {
  const zone = registration.zone ?? registration.metadata.zone;
  const version = registration.version ?? registration.metadata.version;
  if (zone) registration.zone = zone;
  if (version) registration.version = version;
}
