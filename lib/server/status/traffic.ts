import { errorVerdict, latencyVerdict, RECOVERY_SECONDS, TRAFFIC_WINDOW_SECONDS, type TrafficThresholds, type Verdict } from '@/lib/model/status/combine';
import { errorRecoveryCause, latencyRecoveryCause } from '@/lib/model/history-wording';
import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store/store';
import type { StatusPublisher } from './publisher';

export interface TrafficStatusOptions {
  store: Store;
  latency: Pick<MetricsStore, 'instanceRecent' | 'serviceRecent' | 'serviceBaselineP95'>;
  publisher: Pick<StatusPublisher, 'traffic' | 'trafficVerdict'>;
  thresholdsFor: (service: string) => TrafficThresholds;
  /** How often reported calls are judged (ms). */
  intervalMs?: number;
}

interface ServiceLatency {
  baseline: number | null;
  /** The whole service's calls against its usual p95: judged over all its calls, so a service whose instances each see few calls is still judged. */
  slow: Verdict | null;
}

const NO_CALLS = `no calls reported in the last ${TRAFFIC_WINDOW_SECONDS} s`;

/**
 * Judges every instance's reported calls once per tick: its error rate over 30 s, then latency.
 * A slow service (p95 of all its calls over its usual) puts its cause on each instance that is
 * itself over the factor, so the service says "p95 330 ms, 10× its usual 33 ms" in one sentence;
 * otherwise an instance is judged on its own calls (one slow instance among fast siblings).
 */
export function evaluateTraffic(options: TrafficStatusOptions): void {
  const services = new Map<string, ServiceLatency>();
  for (const instance of options.store.instances()) {
    if (instance.lost) continue;
    const recent = options.latency.instanceRecent(instance.service, instance.id, TRAFFIC_WINDOW_SECONDS);
    // No calls say nothing (both verdicts need calls): at 100,000 instances, most of which report
    // none, judging each in full held the event loop for half a second every tick.
    if (recent.calls === 0) {
      options.publisher.traffic(instance.key, null, NO_CALLS, false);
      continue;
    }
    const thresholds = options.thresholdsFor(instance.service);
    let service = services.get(instance.service);
    if (service === undefined) {
      const baseline = options.latency.serviceBaselineP95(instance.service);
      const slow = baseline === null ? null : latencyVerdict({ ...options.latency.serviceRecent(instance.service, TRAFFIC_WINDOW_SECONDS), baselineP95Ms: baseline }, thresholds);
      service = { baseline, slow };
      services.set(instance.service, service);
    }
    const latest = options.latency.instanceRecent(instance.service, instance.id, RECOVERY_SECONDS);
    const held = options.publisher.trafficVerdict(instance.key);
    const errors = errorVerdict({ ...recent, windowSeconds: TRAFFIC_WINDOW_SECONDS, latest }, thresholds, held);
    const sharesSlowness = service.slow !== null && service.baseline !== null && recent.p95Ms !== null && recent.p95Ms > thresholds.latencyFactor * service.baseline;
    const slow = sharesSlowness ? service.slow : latencyVerdict({ ...recent, baselineP95Ms: service.baseline }, thresholds, held);
    const verdict = errors ?? slow;
    // What ended a held verdict, so its recovery says what recovered rather than the probe's "probe OK".
    const ended = verdict === null && held !== null ? (held.kind === 'latency' ? latencyRecoveryCause({ ...recent, baselineP95Ms: service.baseline }) : errorRecoveryCause({ ...recent, latest }, thresholds)) : undefined;
    // Calls in the window's last half too: a hold after a restart ends only on a window they covered (publisher.ts `callsJudged`).
    const callsLately = latest.calls > 0 || options.latency.instanceRecent(instance.service, instance.id, TRAFFIC_WINDOW_SECONDS / 2).calls > 0;
    options.publisher.traffic(instance.key, verdict, ended, callsLately);
  }
}

/** Runs `evaluateTraffic` every `intervalMs` (default 5 s); returns the stop function. */
export function startTrafficStatus(options: TrafficStatusOptions): () => void {
  const timer = setInterval(() => evaluateTraffic(options), options.intervalMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
