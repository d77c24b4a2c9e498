import { drainStateFrom } from '@/lib/model/drain';
import type { MetricsStore } from './metrics-store/store';
import type { DrainStateTarget } from './store/store';

/** Every couple of seconds, tells each drained instance whether calls to it have stopped. */
export function startDrainMonitor(options: { store: DrainStateTarget; latency: MetricsStore; quietSeconds: number; everyMs?: number; now?: () => number }): () => void {
  const now = options.now ?? Date.now;
  const check = (): void => {
    for (const instance of options.store.instances()) {
      if (!instance.drain) continue;
      const recent = options.latency.instance(instance.service, instance.id, '15m');
      const hour = options.latency.instance(instance.service, instance.id, '1h');
      const lastCall = [...recent].reverse().find((point) => point.rps > 0);
      const state = drainStateFrom(
        { reported: lastCall !== undefined || hour.some((point) => point.rps > 0), lastCallAtMs: lastCall?.t ?? null },
        Date.parse(instance.drain.at),
        now(),
        options.quietSeconds * 1_000,
      );
      options.store.setDrainState(instance.key, state);
    }
  };
  const timer = setInterval(check, options.everyMs ?? 2_000);
  timer.unref();
  return () => clearInterval(timer);
}
