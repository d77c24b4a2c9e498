import type { MetricsStore } from '../metrics-store/store';
import type { Store } from '../store/store';
import { createInFlightLimit } from './in-flight';
import { createMetricsIntake } from './metrics-intake';

/** OTLP requests decoded at once; a request holds its place from arrival to reply (body reading included). */
export const MAX_OTLP_IN_FLIGHT = 16;

/** The OpenTelemetry intake of one runtime. */
export function createOtlpIntake(options: { store: Pick<Store, 'instances' | 'revision' | 'instanceCount'>; latency: Pick<MetricsStore, 'observe'> }) {
  const metrics = createMetricsIntake(options);
  const inFlight = createInFlightLimit(MAX_OTLP_IN_FLIGHT);
  return { metrics, inFlight, stats: () => ({ ...metrics.stats(), ...inFlight.stats() }) };
}

export type OtlpIntake = ReturnType<typeof createOtlpIntake>;
