'use client';

import { useMemo, type SyntheticEvent } from 'react';
import type { Instance } from '@/lib/model/instance';
import { WINDOWS, type InstanceLatency, type LatencyWindow } from '@/lib/model/latency';
import { probeKindOf, tcpOnlyConcern } from '@/lib/model/status/probe-kind';
import { useNow } from '@/lib/client/useNow';
import { serverNow } from '@/lib/client/serverClock';
import { formatAgo, formatClock } from '@/lib/client/formatTime';
import { probeResultText, rowProbe, type RowProbe } from './probe-figures';

function probeTitle(probe: RowProbe, now: number): string {
  const at = `${formatClock(probe.at)} (${formatAgo(probe.at, now)})`;
  return probe.ok ? `Last probe at ${at}: OK. Its time is in the Latency column.` : `Last probe at ${at} failed: ${probe.error ?? 'no detail'}`;
}

/**
 * What is checked (HTTP path, gRPC, TCP connect) and what the row's probe answered, and how long
 * ago: "OK · 4 s ago", "✕ connection refused · just now". No time: the Latency column owns it, from
 * the same probe (probe-figures.ts `rowProbe`); this column once showed the live `lastProbe`'s
 * time, refreshed only every 30 s, beside a sparkline a probe newer ("probe 126 ms" vs "0.6 ms").
 */
export function ProbeCell({
  instance,
  latency,
  window,
}: {
  instance: Pick<Instance, 'health' | 'format' | 'metadata' | 'lastProbe' | 'status' | 'statusCauseKind'>;
  latency?: InstanceLatency | undefined;
  window: LatencyWindow;
}) {
  const kind = probeKindOf(instance);
  // Neutral unless the connect-only probe hides what is wrong with it now.
  const concern = tcpOnlyConcern(kind, instance);
  const hint = concern ?? kind.hint;
  const stepSeconds = WINDOWS[window].stepSeconds;
  const probe = useMemo(() => rowProbe(instance.lastProbe, latency?.probe, stepSeconds), [instance.lastProbe, latency, stepSeconds]);
  return (
    <span className="probe-cell">
      <span className={concern === undefined ? 'probe-cell__kind' : 'probe-cell__kind probe-cell__kind--concern'} title={hint ?? kind.label}>
        {kind.label}
        {hint && <span className="visually-hidden">: {hint}</span>}
      </span>
      <span className="probe-cell__result">{probe ? <ProbeResult probe={probe} /> : <span className="muted">—</span>}</span>
    </span>
  );
}

/** "✓ OK · 4 s ago" / "✕ connection refused · 4 s ago"; when exactly on hover (on the server's clock, lib/client/serverClock.ts). */
function ProbeResult({ probe }: { probe: RowProbe }) {
  const now = useNow();
  const { result, age } = probeResultText(probe, now);
  const refreshTitle = (event: SyntheticEvent<HTMLElement>) => {
    event.currentTarget.title = probeTitle(probe, serverNow());
  };
  return (
    // A long result wraps its age to a second line (at most two; whole in the tooltip).
    <span className={probe.ok ? 'last-probe' : 'last-probe last-probe--failed probe-cell__error'} data-probe={probe.ok ? 'ok' : 'failed'} onPointerEnter={refreshTitle}>
      <span aria-hidden="true">{probe.ok ? '✓ ' : '✕ '}</span>
      {!probe.ok && <span className="visually-hidden">failed: </span>}
      {result}
      {age !== null && <span className="last-probe__age">{` · ${age}`}</span>}
    </span>
  );
}
