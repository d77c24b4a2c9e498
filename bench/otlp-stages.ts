import { ExportMetricsRequestSchema, type ExportMetricsRequest } from '@/lib/model/otlp/schema';
import { createMetricsStore } from '@/lib/server/metrics-store/store';
import { createOtlpIntake } from '@/lib/server/otlp/intake';
import { decodeMetricsRequest } from '@/lib/server/otlp/proto';
import type { Store } from '@/lib/server/store/store';
import { bareDecoders } from './otlp-decode';

/** CPU microseconds per metrics export spent in each step of the intake, measured in this process. */
export interface StageCosts {
  bareDecode: number;
  decodeToObject: number;
  validate: number;
  mapAndRecord: number;
}

const cpuMicros = (run: () => void): number => {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};

/**
 * The intake's steps one by one over the same exports (first exports, then the rest, in order, so
 * the cumulative streams behave as on the server): protobufjs decode alone; decode into OTLP JSON's
 * shape as the intake does; zod validation; mapping, cumulative → increments and the series store.
 */
export function measureStages(warmUp: readonly Buffer[], measured: readonly Buffer[], services: readonly string[]): StageCosts {
  const instances = services.map((service, i) => ({ service, id: `${service}-1`, address: `127.0.0.1:${20_000 + i}` }));
  // Only what the registry lookup reads of a registered instance.
  const store = { instances: () => instances, revision: () => '1', instanceCount: () => instances.length } as unknown as Pick<Store, 'instances' | 'revision' | 'instanceCount'>;
  const intake = createOtlpIntake({ store, latency: createMetricsStore() }).metrics;
  for (const body of warmUp) intake.accept(ExportMetricsRequestSchema.parse(decodeMetricsRequest(body)));
  const bare = bareDecoders();
  let decoded: unknown[] = [];
  let parsed: ExportMetricsRequest[] = [];
  const perExport = (micros: number): number => micros / measured.length;
  const bareDecode = perExport(cpuMicros(() => measured.forEach((body) => bare.metrics(body))));
  const decodeToObject = perExport(cpuMicros(() => (decoded = measured.map((body) => decodeMetricsRequest(body)))));
  const validate = perExport(cpuMicros(() => (parsed = decoded.map((raw) => ExportMetricsRequestSchema.parse(raw)))));
  const mapAndRecord = perExport(cpuMicros(() => parsed.forEach((request) => intake.accept(request))));
  return { bareDecode, decodeToObject, validate, mapAndRecord };
}
