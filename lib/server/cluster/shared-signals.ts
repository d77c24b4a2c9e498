import type { Signal } from '@/lib/model/cluster/signals';
import type { ProbeResult } from '@/lib/model/health-state';
import type { HealthTracker } from '../health';
import type { CallObservation, MetricsStore } from '../metrics-store/store';
import { apartFromOurClock } from '../metrics-store/skew';
import type { InstanceReader } from '../store/store';
import type { SignalBus } from './signal-bus';

export const callsSignal = (observation: CallObservation): Signal<'calls'> => ({
  ...(observation.from !== undefined ? { from: observation.from } : {}),
  to: observation.to,
  ...(observation.toInstance !== undefined ? { toInstance: observation.toInstance } : {}),
  countsForCallee: observation.countsForCallee,
  startSecond: observation.startSecond,
  intervalSeconds: observation.intervalSeconds,
  count: observation.count,
  errors: observation.errors,
  latencyMs: { bounds: [...observation.bounds], counts: [...observation.counts] },
  ...(observation.node !== undefined ? { node: observation.node } : {}),
});

/** A probe result into its instance's probe series, whichever replica made it; a target the policy refused was not measured and adds nothing. */
export function recordProbeResult(latency: Pick<MetricsStore, 'recordProbe'>, key: string, result: ProbeResult): void {
  if (!result.notProbed) latency.recordProbe(key, Date.parse(result.at), result.latencyMs, result.ok);
}

const observationOf = ({ latencyMs, ...calls }: Signal<'calls'>): CallObservation => ({ ...calls, bounds: latencyMs.bounds, counts: latencyMs.counts });

export interface SharedSignalsOptions {
  bus: SignalBus;
  store: InstanceReader;
  health: Pick<HealthTracker, 'record'>;
  latency: Pick<MetricsStore, 'replay' | 'recordProbe'>;
  /** Closes sockets of credentials another replica revoked. */
  forgetRevoked: (credentialIds: string[]) => void;
  now?: () => number;
}

/**
 * A probe result as another replica timed it, unless its clock and ours are apart (`apartFromOurClock`,
 * the bound its calls are re-placed by too, in `MetricsStore.replay`): then timed on ours (it was
 * made a moment ago). A replica two minutes ahead made every instance it probed read "probed in 2
 * min", with its status changing in the future, on the others.
 */
export function onOurClock(result: ProbeResult, nowMs: number): ProbeResult {
  return apartFromOurClock(Date.parse(result.at), nowMs) ? { ...result, at: new Date(nowMs).toISOString() } : result;
}

/**
 * What other replicas learnt, applied here as if learnt here: their probe results go to the health
 * tracker and the probe series, their calls to the call series, their revocations to the sockets.
 * (What this replica learns is published where it happens: the prober's and the metrics store's hooks.)
 */
export function applySharedSignals(options: SharedSignalsOptions): () => void {
  const { bus, store, health, latency } = options;
  const now = options.now ?? Date.now;
  const stops = [
    bus.subscribe('probe', (items) => {
      for (const { key, result } of items) {
        const instance = store.instance(key);
        // Unknown here yet (our watch is behind theirs) or lost: the next round carries it again.
        if (!instance || instance.lost) continue;
        const probe = onOurClock(result, now());
        health.record(key, probe);
        recordProbeResult(latency, key, probe);
      }
    }),
    bus.subscribe('calls', (items) => {
      for (const item of items) latency.replay(observationOf(item));
    }),
    bus.subscribe('sessions', (items) => options.forgetRevoked(items.flatMap((item) => item.credentialIds))),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
