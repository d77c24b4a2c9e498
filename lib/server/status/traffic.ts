import { RECOVERY_SECONDS, TRAFFIC_WINDOW_SECONDS, trafficVerdict, type TrafficThresholds } from '@/lib/model/status/combine';
import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store/store';
import type { StatusPublisher } from './publisher';

export interface TrafficStatusOptions {
  store: Store;
  latency: Pick<MetricsStore, 'instanceRecent' | 'serviceBaselineP95'>;
  publisher: Pick<StatusPublisher, 'traffic'>;
  thresholdsFor: (service: string) => TrafficThresholds;
  /** How often reported calls are judged (ms). */
  intervalMs?: number;
}

/** Judges every instance's reported calls (error rate over 30 s, p95 against the service's usual) once per tick. */
export function evaluateTraffic(options: TrafficStatusOptions): void {
  const baselines = new Map<string, number | null>();
  for (const instance of options.store.instances()) {
    if (instance.lost) continue;
    let baseline = baselines.get(instance.service);
    if (baseline === undefined) {
      baseline = options.latency.serviceBaselineP95(instance.service);
      baselines.set(instance.service, baseline);
    }
    const recent = options.latency.instanceRecent(instance.service, instance.id, TRAFFIC_WINDOW_SECONDS);
    const latest = recent.calls > 0 ? options.latency.instanceRecent(instance.service, instance.id, RECOVERY_SECONDS) : undefined;
    const verdict = trafficVerdict({ ...recent, windowSeconds: TRAFFIC_WINDOW_SECONDS, baselineP95Ms: baseline, ...(latest ? { latest } : {}) }, options.thresholdsFor(instance.service));
    options.publisher.traffic(instance.key, verdict);
  }
}

/** Runs `evaluateTraffic` every `intervalMs` (default 5 s); returns the stop function. */
export function startTrafficStatus(options: TrafficStatusOptions): () => void {
  const timer = setInterval(() => evaluateTraffic(options), options.intervalMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
