import type { RawEntry, Registration } from '@/lib/model/registration';
import { decodeDubboApp, decodeDubboProvider } from './formats/dubbo';
import { decodeGeneric } from './formats/generic';
import { decodeGoMicro } from './formats/go-micro';
import { decodeGoZero } from './formats/go-zero';
import { decodeGrpcGo } from './formats/grpc-go';
import { decodeKitex } from './formats/kitex';
import { decodeKratos } from './formats/kratos';
import { decodeNative } from './formats/native';
import { decodePlain } from './formats/plain';
import { decodeRpcx } from './formats/rpcx';
import { type Decoder, isName, MAX_ADDRESS_CHARS } from './formats/util';

/** Registration values are small; anything bigger is refused before any decoder reads it. */
export const MAX_VALUE_BYTES = 64 * 1024;
const CONTROL_PREFIX = '/switchyard/';

/**
 * First match wins, so the order goes from the most specific shape to the loosest:
 * 1. native       `/services/…` + JSON with `address`
 * 2. dubbo-app    `/services/…` + JSON with `ServiceName`/`Host`/`Port` (same keys as native)
 * 3. kratos       `/microservices/…`
 * 4. go-micro     `/micro/registry/…`, `/micro-registry/…`
 * 5. kitex, hertz `kitex|hertz/registry-etcd/…`
 * 6. dubbo        `…/<interface>/providers/<provider URL>`
 * 7. rpcx         last segment `<network>@<h:p>`
 * 8. grpc-go      any key, JSON value with `Addr`
 * 9. go-zero      last segment a lease id, value `h:p`
 * 10. plain       last segment `h:p`, value empty or the same address
 * 11. generic     any leased key whose value or last segment is an address
 */
const DECODERS: readonly Decoder[] = [
  decodeNative,
  decodeDubboApp,
  decodeKratos,
  decodeGoMicro,
  decodeKitex,
  decodeDubboProvider,
  decodeRpcx,
  decodeGrpcGo,
  decodeGoZero,
  decodePlain,
  decodeGeneric,
];

/**
 * Decodes one etcd entry into the instances it registers (usually one; go-micro values may list
 * several nodes). Returns null when the key is not a registration Switchyard recognises.
 * Never throws, whatever the bytes.
 */
export function decodeEntry(entry: RawEntry): Registration[] | null {
  if (entry.key.startsWith(CONTROL_PREFIX) || entry.value.length > MAX_VALUE_BYTES) return null;
  try {
    for (const decode of DECODERS) {
      const registrations = decode(entry);
      // The first format to claim an entry owns it: a registration breaking a cap rejects the entry.
      if (registrations) return registrations.every(withinCaps) ? registrations.map(withConventionalFields) : null;
    }
  } catch {
    // Decoders are written not to throw; this only keeps a missed case from reaching the watcher.
  }
  return null;
}

/** Names and ids come from strangers: non-empty and bounded, or the entry is refused. */
function withinCaps(registration: Registration): boolean {
  return isName(registration.service) && isName(registration.id) && registration.address.length <= MAX_ADDRESS_CHARS;
}

/**
 * Frameworks without a zone or version field carry them as metadata (kratos metadata, go-micro
 * node metadata, kitex/hertz tags, rpcx query): `zone`/`version` there fill the missing fields.
 */
function withConventionalFields(registration: Registration): Registration {
  const zone = registration.zone ?? registration.metadata.zone;
  const version = registration.version ?? registration.metadata.version;
  return { ...registration, ...(zone ? { zone } : {}), ...(version ? { version } : {}) };
}
