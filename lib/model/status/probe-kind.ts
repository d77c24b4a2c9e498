import type { Instance } from '../instance';

export interface ProbeKindText {
  kind: 'http' | 'grpc' | 'tcp';
  /** "HTTP GET /healthz", "gRPC health check", "TCP connect only". */
  label: string;
  /** For TCP-only instances: what a connect cannot see and how to give it a health path. */
  hint?: string;
}

export const TCP_ONLY_HINT =
  'Only checks that the port accepts connections: a hung or failing app still passes. Declare a health path in the registration (native format: "health":{"http":"/healthz"}, or "health":{"grpc":true}) to check the app itself.';

const grpcEndpoint = (instance: Pick<Instance, 'format' | 'metadata'>): boolean =>
  instance.format === 'kratos' && (instance.metadata.endpoints ?? '').split(',').some((endpoint) => /^grpc:\/\//i.test(endpoint.trim()) && !/[?&]isSecure=true\b/i.test(endpoint));

/** What the prober checks on this instance, in the order the prober chooses (lib/server/prober/target.ts). */
export function probeKindOf(instance: Pick<Instance, 'health' | 'format' | 'metadata'>): ProbeKindText {
  const path = instance.health?.http;
  if (path !== undefined) return { kind: 'http', label: `HTTP GET ${path.startsWith('/') ? path : `/${path}`}` };
  if (instance.health?.grpc || grpcEndpoint(instance)) return { kind: 'grpc', label: 'gRPC health check' };
  return { kind: 'tcp', label: 'TCP connect only', hint: TCP_ONLY_HINT };
}
