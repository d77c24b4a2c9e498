import type { SyntheticEvent } from 'react';
import type { Instance, LastProbe } from '@/lib/model/instance';
import { probeKindOf } from '@/lib/model/status/probe-kind';
import { LastProbeCell, lastProbeTitle } from './LastProbeCell';
import { serverNow } from '@/lib/client/serverClock';

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
        {/* A failure says what failed; its duration is in the tooltip ("✕ 2 s timeout after 2 s" read as nonsense). */}
        {probe && !probe.ok && probe.error ? <FailedProbe probe={probe} error={probe.error} /> : <LastProbeCell probe={probe} />}
      </span>
    </span>
  );
}

/** "✕ connection refused": the error alone; when and after how long on hover (on the server's clock, lib/client/serverClock.ts). */
function FailedProbe({ probe, error }: { probe: LastProbe; error: string }) {
  const refreshTitle = (event: SyntheticEvent<HTMLElement>) => {
    event.currentTarget.title = lastProbeTitle(probe, serverNow());
  };
  return (
    <span className="last-probe last-probe--failed probe-cell__error" onPointerEnter={refreshTitle}>
      <span aria-hidden="true">✕ </span>
      <span className="visually-hidden">failed: </span>
      {error}
    </span>
  );
}
