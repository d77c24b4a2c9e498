import type { Instance } from '@/lib/model/instance';

/**
 * One instance of `service` as the registry holds it at `nowMs`: lost two minutes before (its key
 * gone from etcd, `passingBefore` instances passing before the loss), or registered and passing
 * (`recoveredAt` when it came back from a loss).
 */
export function lostOrPassing(service: string, id: string, lost: boolean, nowMs: number, options: { passingBefore: number; recoveredAt?: string }): Instance {
  return {
    id,
    service,
    key: lost ? `/switchyard/lost/${service}/${id}` : `/services/${service}/${id}`,
    address: '10.0.0.1:80',
    format: 'native',
    metadata: {},
    status: lost ? 'critical' : 'passing',
    statusCause: lost ? 'lease expired' : 'probe OK',
    drain: null,
    passedAt: new Date(nowMs - 60_000).toISOString(),
    ...(lost
      ? { statusCauseKind: 'lost' as const, lost: { at: new Date(nowMs - 120_000).toISOString(), cause: 'lease expired', passingBefore: options.passingBefore } }
      : options.recoveredAt !== undefined
        ? { recoveredAt: options.recoveredAt }
        : {}),
  };
}
