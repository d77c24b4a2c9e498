import type { Instance } from '@/lib/model/instance';

/** Where a registered host:port points: host without brackets (IPv6 "::1"), and the address as written. */
export interface HostPort {
  host: string;
  port: number;
  /** `host:port`, IPv6 bracketed: what causes and logs show. */
  address: string;
}

/** What the prober does for one instance. `invalid` probes nothing and fails with `reason`. */
export type ProbeTarget =
  | ({ kind: 'http'; path: string } & HostPort)
  | ({ kind: 'grpc' } & HostPort)
  | ({ kind: 'tcp' } & HostPort)
  | { kind: 'invalid'; reason: string };

const BRACKETED = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d{1,5})$/;
const PLAIN = /^([A-Za-z0-9][\w.-]*):(\d{1,5})$/;
const MAX_PATH_CHARS = 2_048;

/** Parses `host:port` or `[v6]:port`; undefined for anything else, including port 0. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = BRACKETED.exec(text) ?? PLAIN.exec(text);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (!host || !(port >= 1 && port <= 65535)) return undefined;
  return { host, port, address: text };
}

/**
 * A declared health path as a request path: a missing leading "/" is added (a common slip), and
 * anything outside printable ASCII is percent-encoded so the request line cannot be bent.
 */
export function requestPath(declared: string): string | undefined {
  if (declared.length > MAX_PATH_CHARS) return undefined;
  const absolute = declared.startsWith('/') ? declared : `/${declared}`;
  return absolute.replace(/[^\x21-\x7e]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

interface KratosEndpoint {
  scheme: string;
  hostPort: HostPort;
  secure: boolean;
}

const ENDPOINT = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]+)([/?#].*)?$/s;

function kratosEndpoints(instance: Instance): KratosEndpoint[] {
  const listed = instance.metadata.endpoints;
  if (instance.format !== 'kratos' || !listed) return [];
  const endpoints: KratosEndpoint[] = [];
  for (const text of listed.split(',')) {
    const match = ENDPOINT.exec(text.trim());
    const hostPort = match?.[2] ? parseHostPort(match[2]) : undefined;
    // kratos marks TLS endpoints with ?isSecure=true; the prober speaks plaintext only.
    if (match?.[1] && hostPort) endpoints.push({ scheme: match[1].toLowerCase(), hostPort, secure: /[?&]isSecure=true\b/i.test(match[3] ?? '') });
  }
  return endpoints;
}

/**
 * How to probe an instance, from its registration alone: a declared HTTP path, then a declared
 * gRPC health service, then kratos' endpoints (gRPC health on a plaintext grpc:// endpoint, else a
 * TCP connect to its http:// one), else a TCP connect to the address.
 */
export function probeTargetFor(instance: Instance): ProbeTarget {
  const address = parseHostPort(instance.address);
  if (!address) return { kind: 'invalid', reason: `address "${instance.address.slice(0, 100)}" is not host:port` };
  const declaredPath = instance.health?.http;
  if (declaredPath !== undefined) {
    const path = requestPath(declaredPath);
    return path ? { kind: 'http', path, ...address } : { kind: 'invalid', reason: 'registered health path is too long' };
  }
  if (instance.health?.grpc) return { kind: 'grpc', ...address };
  const endpoints = kratosEndpoints(instance);
  const grpc = endpoints.find((endpoint) => endpoint.scheme === 'grpc' && !endpoint.secure);
  if (grpc) return { kind: 'grpc', ...grpc.hostPort };
  const http = endpoints.find((endpoint) => endpoint.scheme === 'http' || endpoint.scheme === 'https');
  if (http) return { kind: 'tcp', ...http.hostPort };
  return { kind: 'tcp', ...address };
}

/** Identity of a target: the scheduler re-reads it only when this changes. */
export function targetKey(target: ProbeTarget): string {
  if (target.kind === 'invalid') return `invalid ${target.reason}`;
  return `${target.kind} ${target.address}${target.kind === 'http' ? target.path : ''}`;
}
