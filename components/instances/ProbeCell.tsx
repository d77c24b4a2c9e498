import type { Instance } from '@/lib/model/instance';
import { probeKindOf } from '@/lib/model/status/probe-kind';
import { LastProbeCell } from './LastProbeCell';

/** What is checked (HTTP path, gRPC, TCP connect) and what the last check answered. */
export function ProbeCell({ instance }: { instance: Pick<Instance, 'health' | 'format' | 'metadata' | 'lastProbe'> }) {
  const kind = probeKindOf(instance);
  const probe = instance.lastProbe;
  return (
    <span className="probe-cell">
      <span className={`probe-cell__kind probe-cell__kind--${kind.kind}`} title={kind.hint ?? kind.label}>
        {kind.label}
        {kind.hint && <span className="visually-hidden">: {kind.hint}</span>}
      </span>
      <span className="probe-cell__result">
        <LastProbeCell probe={probe} />
        {probe && !probe.ok && probe.error && (
          <span className="probe-cell__error" title={probe.error}>
            {' '}
            {probe.error}
          </span>
        )}
      </span>
    </span>
  );
}
