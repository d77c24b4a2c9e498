import { ROOT_CONTEXT, SpanKind, trace, type Attributes, type SpanContext } from '@opentelemetry/api';
import { ProtobufMetricsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Semantic-convention HTTP duration buckets (seconds): 16 counts per data point. */
const BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface FleetShape {
  instances: number;
  /** Registered services the instances belong to (in turn) and call. */
  services: readonly string[];
  /** Exports per instance, in order: the cumulative histograms grow between them. */
  intervals: number;
  /** Requests recorded per instance and interval (server side), each making one call to each of 3 callees (client side). */
  requestsPerInterval: number;
  /** Spans per instance and interval (one export of its batch span processor); 0: no traces. */
  spansPerInterval: number;
}

export interface CapturedFleet {
  /** `[interval][instance]`: ExportMetricsServiceRequest bodies. */
  metrics: Buffer[][];
  /** `[interval][instance]`: ExportTraceServiceRequest bodies (empty rows without traces). */
  traces: Buffer[][];
}

/** A reader the harness collects from by hand, as the periodic exporting reader does on its timer. */
class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/**
 * Client spans kept per callee service and interval to parent its next instances' server spans of
 * the same interval: the two sides of a call are exported in the same round, as a fleet's batch
 * processors export them within one delay (parents from other intervals arrived rounds apart, beyond
 * the pairing TTL, so nearly every side waited out its TTL alone and the pairing store ran full).
 */
const MAX_WAITING_PARENTS = 1_000;

const serviceOf = (shape: FleetShape, index: number): string => shape.services[index % shape.services.length] ?? 'svc';

/**
 * One instance's OTLP exports as an otelhttp-instrumented service makes them, serialised by the
 * SDK's own OTLP protobuf serialisers (what the proto exporters post): `http.server.request.duration`
 * (200 and 503) and `http.client.request.duration` to three registered services by `server.address`,
 * cumulative, 16 buckets; and per interval a batch of server, client, db and messaging spans whose
 * client spans are the parents of the callees' server spans.
 */
async function captureInstance(shape: FleetShape, instance: number, fleet: CapturedFleet, parents: Map<string, SpanContext[]>): Promise<void> {
  const service = serviceOf(shape, instance);
  const resource = resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-${instance}` });
  const reader = new CollectingReader();
  const meters = new MeterProvider({ resource, readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracers = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meter = meters.getMeter('bench');
  const tracer = tracers.getTracer('bench');
  const server = meter.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: BUCKETS_S } });
  const client = meter.createHistogram('http.client.request.duration', { unit: 's', advice: { explicitBucketBoundaries: BUCKETS_S } });
  const callees = [1, 2, 3].map((step) => serviceOf(shape, instance + step));
  const calleeAttributes: Attributes[] = callees.map((callee) => ({ 'server.address': callee, 'server.port': 8080 }));

  for (let interval = 0; interval < shape.intervals; interval += 1) {
    for (let i = 0; i < shape.requestsPerInterval; i += 1) {
      const seconds = 0.002 * (1 + (i % 40));
      const status = i % 50 === 0 ? 503 : 200;
      server.record(seconds, { 'http.request.method': 'GET', 'http.route': '/work', 'http.response.status_code': status });
      for (const peer of calleeAttributes) client.record(seconds / 2, { 'http.request.method': 'GET', ...peer, 'http.response.status_code': status });
    }
    const { resourceMetrics } = await reader.collect();
    const metrics = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
    const row = fleet.metrics[interval];
    if (metrics && row) row[instance] = Buffer.from(metrics);

    // Traces: per request a server span (child of a caller's client span when one waits for this
    // service), a client span to a callee, a db query, and every other request a Kafka send.
    for (let made = 0, request = 0; made < shape.spansPerInterval; request += 1) {
      const parent = parents.get(`${service} ${interval}`)?.shift();
      const handled = tracer.startSpan(
        'GET /work',
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/work', 'http.response.status_code': 200 } },
        parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
      );
      const context = trace.setSpan(ROOT_CONTEXT, handled);
      const callee = request % callees.length;
      const call = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', ...calleeAttributes[callee], 'http.response.status_code': 200 } }, context);
      const parentsKey = `${callees[callee] ?? ''} ${interval}`;
      const waiting = parents.get(parentsKey) ?? [];
      if (waiting.length < MAX_WAITING_PARENTS) waiting.push(call.spanContext());
      parents.set(parentsKey, waiting);
      call.end();
      tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'mysql', 'db.name': 'orders', 'server.address': 'mysql', 'server.port': 3306 } }, context).end();
      made += 3;
      if (request % 2 === 0) {
        tracer.startSpan('send order-events', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events' } }, context).end();
        made += 1;
      }
      handled.end();
    }
    if (shape.spansPerInterval > 0) {
      const body = ProtobufTraceSerializer.serializeRequest(spans.getFinishedSpans());
      const traceRow = fleet.traces[interval];
      if (body && traceRow) traceRow[instance] = Buffer.from(body);
      spans.reset();
    }
  }
  await Promise.all([meters.shutdown(), tracers.shutdown()]);
}

/** Every instance's exports, `[interval][instance]`. */
export async function captureFleet(shape: FleetShape, log: (message: string) => void): Promise<CapturedFleet> {
  const rows = (): Buffer[][] => Array.from({ length: shape.intervals }, () => new Array<Buffer>(shape.instances));
  const fleet: CapturedFleet = { metrics: rows(), traces: shape.spansPerInterval > 0 ? rows() : [] };
  const parents = new Map<string, SpanContext[]>();
  for (let instance = 0; instance < shape.instances; instance += 1) {
    await captureInstance(shape, instance, fleet, parents);
    if ((instance + 1) % 1_000 === 0) log(`otlp: serialised the exports of ${instance + 1} instances`);
  }
  return fleet;
}
