import { createMetricsStore } from '@/lib/server/metrics-store/store';
import { createOtlpIntake } from '@/lib/server/otlp/intake';
import { decodeMetricsRequest, decodeTraceRequest } from '@/lib/server/otlp/proto';
import type { Store } from '@/lib/server/store/store';
import { bareDecoders } from './otlp-decode';

/** Microseconds per export spent in each step of the intake, measured in this process (one thread: its time is its CPU, give or take preemption). */
export interface StageCost {
  /** protobufjs `Type.decode` alone. */
  bareDecode: number;
  /** Decode and read into what the intake takes (bounds checked). */
  decode: number;
  /** Mapping onto the registry, cumulative → increments or span pairing, and the series store. */
  mapAndRecord: number;
}

export interface StageCosts {
  metrics: StageCost;
  traces?: StageCost;
}

/** Rounds accepted before the measured ones: the first exports and the warm-up round, as the bench's server gets. */
export const WARM_ROUNDS = 2;

/**
 * Each export decoded and then taken, one after the other, as the server does. Decoding them all
 * first kept every decoded request alive at once, so the collector's work landed on decoding:
 * it reported 160 µs for decoding and bounds of a trace export that costs ~35 µs in steady state.
 */
function measure<Request>(bodies: readonly Buffer[], bare: (body: Buffer) => unknown, decode: (body: Buffer) => Request, accept: (request: Request) => unknown): StageCost {
  const perExport = (ms: number): number => (ms * 1_000) / Math.max(1, bodies.length);
  let started = performance.now();
  for (const body of bodies) bare(body);
  const bareDecode = perExport(performance.now() - started);
  let decoding = 0;
  let taking = 0;
  for (const body of bodies) {
    started = performance.now();
    const request = decode(body);
    const decoded = performance.now();
    accept(request);
    taking += performance.now() - decoded;
    decoding += decoded - started;
  }
  return { bareDecode, decode: perExport(decoding), mapAndRecord: perExport(taking) };
}

/**
 * The intake's steps one by one over the same exports (WARM_ROUNDS unmeasured, then the rest, in
 * order, so cumulative streams and span pairs behave as on the server).
 */
export function measureStages(rounds: { metrics: readonly Buffer[][]; traces: readonly Buffer[][] }, services: readonly string[]): StageCosts {
  const instances = services.map((service, i) => ({ service, id: `${service}-1`, key: `/services/${service}/${service}-1`, address: `127.0.0.1:${20_000 + i}` }));
  // Only what the registry lookup reads of a registered instance.
  const store = { instances: () => instances, subscribe: () => () => undefined } as unknown as Pick<Store, 'instances' | 'subscribe'>;
  const intake = createOtlpIntake({ store, latency: createMetricsStore() });
  const bare = bareDecoders();
  // Unmeasured, as on the server: the first exports (streams start) and a warm-up round.
  for (let round = 0; round < WARM_ROUNDS; round += 1) {
    for (const body of rounds.metrics[round] ?? []) intake.metrics.accept(decodeMetricsRequest(body));
    for (const body of rounds.traces[round] ?? []) intake.traces.accept(decodeTraceRequest(body));
  }
  const metrics = measure(rounds.metrics.slice(WARM_ROUNDS).flat(), bare.metrics, decodeMetricsRequest, (request) => intake.metrics.accept(request));
  const traceBodies = rounds.traces.slice(WARM_ROUNDS).flat();
  if (traceBodies.length === 0) return { metrics };
  return { metrics, traces: measure(traceBodies, bare.traces, decodeTraceRequest, (request) => intake.traces.accept(request)) };
}
