import { attributeText, type Attributes } from './schema';

/** What the registry can tell about a name or an address (implemented by the server over its store). */
export interface RegistryLookup {
  /** The registered instance listening on `host:port`. */
  instanceAt(hostPort: string): { service: string; id: string } | undefined;
  hasService(name: string): boolean;
  /** Whether `service` has a registered instance with this id. */
  hasInstance(service: string, id: string): boolean;
  /**
   * Whether the instance `id` of `service` is lost (DESIGN §6) — with no id, whether every instance
   * the service has is: either way it cannot be reporting the calls made to it.
   */
  isLost(service: string, id: string | undefined): boolean;
  /**
   * Whether the instance `id` of `service` is one whose key went that `instanceAt` still names by its
   * address (its departure being judged, or just judged): it may still serve, but is in no series of its own.
   */
  isDeparted(service: string, id: string): boolean;
}

/** Who was called: a registry service (and instance when the address names one) or an external node. */
export type Callee = { service: string; instance?: string; external: false } | { service: string; external: true };

/**
 * Error by the conventions: HTTP status ≥ 500; RPC status other than OK; and, when no status was
 * received at all, `error.type` (the semantic conventions set it when a call failed before any
 * response: connection refused, timeout), so a caller's failed calls to a dead callee count as errors.
 */
export function isError(attributes: Attributes, protocol: 'http' | 'rpc'): boolean {
  if (protocol === 'http') {
    const statusText = attributeText(attributes, 'http.response.status_code') ?? attributeText(attributes, 'http.status_code');
    if (statusText === undefined) return attributeText(attributes, 'error.type') !== undefined;
    const status = Number(statusText);
    return Number.isFinite(status) && status >= 500;
  }
  const grpc = attributeText(attributes, 'rpc.grpc.status_code');
  if (grpc !== undefined) return grpc !== '0';
  const status = attributeText(attributes, 'rpc.response.status_code') ?? attributeText(attributes, 'rpc.status_code');
  if (status === undefined) return attributeText(attributes, 'error.type') !== undefined;
  return status !== '0' && status.toUpperCase() !== 'OK';
}

/** `pkg.Service` from `rpc.method` = `pkg.Service/Method` (current) or from `rpc.service` (previous). */
function rpcService(attributes: Attributes): string | undefined {
  const method = attributeText(attributes, 'rpc.method');
  const slash = method?.lastIndexOf('/') ?? -1;
  if (method && slash > 0) return method.slice(0, slash).replace(/^\//, '');
  return attributeText(attributes, 'rpc.service') || undefined;
}

/** A registry service named `name`, or by its last dotted part (`shop.users.v1.Users` → `Users`, `users`). */
function registeredName(name: string, registry: RegistryLookup): string | undefined {
  if (registry.hasService(name)) return name;
  const parts = name.split('.');
  for (const candidate of [parts.at(-1), parts.at(-1)?.toLowerCase(), parts.at(-2)]) {
    if (candidate && registry.hasService(candidate)) return candidate;
  }
  return undefined;
}

/** `server.address:server.port` (IPv6 in brackets), as registry addresses are written. */
function hostPortOf(attributes: Attributes): string | undefined {
  const address = attributeText(attributes, 'server.address') ?? attributeText(attributes, 'net.peer.name');
  const port = attributeText(attributes, 'server.port') ?? attributeText(attributes, 'net.peer.port');
  return address && port ? `${address.includes(':') && !address.startsWith('[') ? `[${address}]` : address}:${port}` : undefined;
}

/**
 * The registered instance a server-side metric's reporter is: the one of its own service listening
 * on `server.address:server.port`, else the one `service.instance.id` names. Undefined when neither
 * names a registered instance — nor for one whose key went (`isDeparted`): its calls feed its service
 * alone, as its callers' do, and it starts clean when it registers again. SDKs default the id to a random one per process, and a series per
 * such id would name nothing anyone can open — and, with every restart minting new ids, would push
 * registered instances' series out of the store's cap.
 */
export function reporterInstanceOf(attributes: Attributes, service: string, declared: string | undefined, registry: RegistryLookup): string | undefined {
  const hostPort = hostPortOf(attributes);
  const registered = hostPort ? registry.instanceAt(hostPort) : undefined;
  if (registered?.service === service) return registry.hasInstance(service, registered.id) ? registered.id : undefined;
  return declared !== undefined && registry.hasInstance(service, declared) ? declared : undefined;
}

/**
 * The callee of a client-side metric: `server.address` + `server.port` matching a registered
 * instance names it; else `server.address` naming a registered service; else `service.peer.name` /
 * `peer.service`; else the service part of `rpc.method` / `rpc.service`. What the registry does not
 * know becomes an external node named by the most specific of those. Undefined when nothing names it.
 */
export function calleeOf(attributes: Attributes, registry: RegistryLookup): Callee | undefined {
  const address = attributeText(attributes, 'server.address') ?? attributeText(attributes, 'net.peer.name');
  const hostPort = hostPortOf(attributes);
  if (hostPort) {
    const instance = registry.instanceAt(hostPort);
    if (instance) return { service: instance.service, instance: instance.id, external: false };
  }
  const peer = attributeText(attributes, 'service.peer.name') ?? attributeText(attributes, 'peer.service');
  const rpc = rpcService(attributes);
  for (const name of [address, peer, rpc]) {
    const known = name ? registeredName(name, registry) : undefined;
    if (known) return { service: known, external: false };
  }
  const external = peer || hostPort || address || rpc;
  return external ? { service: external, external: true } : undefined;
}
