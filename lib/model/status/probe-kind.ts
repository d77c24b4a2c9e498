import type { Instance } from '../instance';

export interface ProbeKindText {
  kind: 'http' | 'grpc' | 'tcp';
  /** "HTTP GET /healthz", "gRPC health check", "TCP connect only". */
  label: string;
  /** For TCP-only instances: what a connect cannot see and how to give it a health path. */
  hint?: string;
}

const DECLARE_HEALTH = 'Declare a health path in the registration (native format: "health":{"http":"/healthz"}, or "health":{"grpc":true}) to check the app itself.';

export const TCP_ONLY_HINT = `No health path declared: the prober only checks that the port accepts connections, so a hung or failing app still passes. ${DECLARE_HEALTH}`;

/**
 * When a TCP-only probe is a problem for this instance now, why: its calls fail or are slow (the
 * traffic decided its status) while its connect passes, so the probe says nothing of what is wrong.
 * Otherwise none: a connect-only probe of a passing instance is a choice, not a fault, and was drawn
 * amber beside every passing row.
 */
export function tcpOnlyConcern(kind: ProbeKindText, instance: Pick<Instance, 'status' | 'statusCauseKind'>): string | undefined {
  if (kind.kind !== 'tcp' || instance.status === 'passing' || instance.status === 'unknown') return undefined;
  if (instance.statusCauseKind === 'error_rate') return `Its calls fail, which its probe cannot see: a TCP connect only checks that the port accepts connections. ${DECLARE_HEALTH}`;
  if (instance.statusCauseKind === 'latency') return `Its calls are slow, which its probe cannot see: a TCP connect only checks that the port accepts connections. ${DECLARE_HEALTH}`;
  return undefined;
}

const grpcEndpoint = (instance: Pick<Instance, 'format' | 'metadata'>): boolean =>
  instance.format === 'kratos' && (instance.metadata.endpoints ?? '').split(',').some((endpoint) => /^grpc:\/\//i.test(endpoint.trim()) && !/[?&]isSecure=true\b/i.test(endpoint));

/** What the prober checks on this instance, in the order the prober chooses (lib/server/prober/target.ts). */
export function probeKindOf(instance: Pick<Instance, 'health' | 'format' | 'metadata'>): ProbeKindText {
  const path = instance.health?.http;
  if (path !== undefined) return { kind: 'http', label: `HTTP GET ${path.startsWith('/') ? path : `/${path}`}` };
  if (instance.health?.grpc || grpcEndpoint(instance)) return { kind: 'grpc', label: 'gRPC health check' };
  return { kind: 'tcp', label: 'TCP connect only', hint: TCP_ONLY_HINT };
}
