import type { Instance } from '@/lib/model/instance';
import { drainStateFrom, type DrainState } from '@/lib/model/drain';
import type { MetricsStore } from './metrics-store/store';
import type { DrainStateTarget } from './store/store';

type DrainLatency = Pick<MetricsStore, 'instance' | 'instanceArrivingFrom'>;

/** Whether reported calls to an instance drained at `drainAt` have stopped, as of `nowMs`. */
export function drainStateFromCalls(instance: Pick<Instance, 'service' | 'id'>, drainAt: string, latency: DrainLatency, nowMs: number, quietMs: number, watchingSinceMs?: number): DrainState {
  const recent = latency.instance(instance.service, instance.id, '15m');
  const hour = latency.instance(instance.service, instance.id, '1h');
  const lastCall = [...recent].reverse().find((point) => point.rps > 0);
  return drainStateFrom(
    {
      reported: lastCall !== undefined || hour.some((point) => point.rps > 0),
      lastCallAtMs: lastCall?.t ?? null,
      arrivingFromMs: latency.instanceArrivingFrom(instance.service, instance.id),
      ...(watchingSinceMs !== undefined ? { watchingSinceMs } : {}),
    },
    Date.parse(drainAt),
    nowMs,
    quietMs,
  );
}

/** Every couple of seconds, tells each drained instance whether calls to it have stopped. */
export function startDrainMonitor(options: { store: DrainStateTarget; latency: DrainLatency; quietSeconds: number; everyMs?: number; now?: () => number }): () => void {
  const now = options.now ?? Date.now;
  // Calls before this process started are known only by persisted minutes (drainStateFrom).
  const watchingSinceMs = now();
  const check = (): void => {
    for (const instance of options.store.drainedInstances()) {
      if (!instance.drain) continue;
      options.store.setDrainState(instance.key, drainStateFromCalls(instance, instance.drain.at, options.latency, now(), options.quietSeconds * 1_000, watchingSinceMs));
    }
  };
  const timer = setInterval(check, options.everyMs ?? 2_000);
  timer.unref();
  return () => clearInterval(timer);
}
