import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace-base';
import { EXTERNALS, type ExternalName } from './plan';
import type { CallOutcome, CallStats } from './stats';

/** Where OTLP-reporting instances export, and the API token they send (none yet: exports are refused and retried next interval). */
export interface OtlpTarget {
  /** The dashboard's base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` would name it. */
  url: string;
  token: () => string | undefined;
  /** Metrics export interval and span batch delay; ~5–10 s keeps the demo's CPU modest. */
  exportIntervalMs?: number;
}

/** The W3C trace context a request or message carries (`traceparent`), absent when its sender does not trace. */
export interface Incoming {
  traceparent?: string;
}

/**
 * Semantic-convention HTTP duration buckets (seconds), with 1 and 2.5 ms added in front: the
 * demo's fast services answer in a few milliseconds, which the advised 5 ms first bound would hide.
 */
const DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** How each simulated external shows in spans: a database or cache client, or a Kafka topic. */
const EXTERNAL_SPANS: Record<ExternalName, { port: number; attributes: Attributes; name: string }> = {
  postgres: { port: 5432, name: 'SELECT shop', attributes: { 'db.system': 'postgresql', 'db.name': 'shop', 'db.operation.name': 'SELECT' } },
  mysql: { port: 3306, name: 'SELECT orders', attributes: { 'db.system': 'mysql', 'db.name': 'orders', 'db.operation.name': 'SELECT' } },
  redis: { port: 6379, name: 'GET', attributes: { 'db.system': 'redis', 'db.operation.name': 'GET' } },
  kafka: { port: 9092, name: 'send order-events', attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events', 'messaging.operation.type': 'send' } },
};

/** `host:port` → `server.address` and `server.port`. */
function serverAttributes(address: string): Attributes {
  const colon = address.lastIndexOf(':');
  return { 'server.address': address.slice(0, colon), 'server.port': Number(address.slice(colon + 1)) };
}

/**
 * An external's host and the peer name the caller gives it: the name its registration declares
 * (`dependsOn`, `external.<name>`), so the node its spans draw is the declared one.
 */
const peerAttributes = (name: ExternalName, port: number): Attributes => ({ 'server.address': name, 'server.port': port, 'service.peer.name': name });

/** A client call to `service` that sent no request: addressed to the service by name (no port), failed with `errorType`. */
const unsentAttributes = (service: string, errorType: string): Attributes => ({ 'http.request.method': 'GET', 'server.address': service, 'error.type': errorType });

export interface OtlpInstance {
  /**
   * Client-side duration metrics (`http.client.request.duration`) for the calls this instance
   * makes to fleet services: per request sent, to the instance's address; a call that sent none
   * (`unsent`), to the service's name. Calls to externals show as spans only (their metric names
   * are not HTTP or RPC durations).
   */
  stats: CallStats;
  /** Handles one request (a server span, child of the caller's) and records `http.server.request.duration`. */
  serve(incoming: Incoming, handle: (parent: Context) => Promise<number>): Promise<number>;
  /** Handles one message from `queue` (a consumer span, child of the producer's). */
  consume(queue: ExternalName, incoming: Incoming, handle: (parent: Context) => Promise<number>): Promise<number>;
  /** A client span around one HTTP request to `address`; `send` gets the headers carrying its context and resolves to the status. */
  callInstance(parent: Context, address: string, send: (headers: Record<string, string>) => Promise<number>): Promise<number>;
  /**
   * A failed client span for a call to `service` that sent no request (no instance, or its breaker
   * refused), addressed to the logical service as a discovery-aware client would (`http://payments/work`):
   * `server.address` the service name, no port, `error.type` the error's class.
   */
  unsent(parent: Context, service: string, errorType: string, message: string): void;
  /**
   * A call to an external, simulated in-process and so recorded once done: a db client or Kafka
   * producer span from `startMs` to now. Returns the context a produced message carries.
   */
  external(parent: Context, name: ExternalName, startMs: number, error: boolean): Incoming;
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

/**
 * Traces started only once `token` exists, every span of a trace following its root's choice (a
 * remote parent's sampled flag). Before the token every export is refused (401, which the SDK does
 * not retry), and each process's batch goes on its own timer: a call made then could lose its
 * client span to a refused export while its server span went out after the token came, a call
 * the intake can put on no edge (counted as a server span alone).
 */
export function sampledOnceExportable(token: () => string | undefined): Sampler {
  return new ParentBasedSampler({
    root: {
      shouldSample: () => ({ decision: token() === undefined ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED }),
      toString: () => 'SampledOnceExportable',
    },
  });
}

function carrierOf(context: Context): Incoming {
  const carrier: Record<string, string> = {};
  propagator.inject(context, carrier, defaultTextMapSetter);
  return carrier.traceparent === undefined ? {} : { traceparent: carrier.traceparent };
}

const parentOf = (incoming: Incoming): Context =>
  incoming.traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent: incoming.traceparent }, defaultTextMapGetter);

/**
 * One demo instance reporting through the official OpenTelemetry JS SDK, as an otelhttp-instrumented
 * Go service would: duration histograms (cumulative, the exporters' default) and spans, each over
 * OTLP/HTTP protobuf with the token in an `Authorization` header (what `OTEL_EXPORTER_OTLP_HEADERS`
 * sets). Spans go through a batch processor; both export every `exportIntervalMs`.
 */
export function startOtlpInstance(target: OtlpTarget, identity: { service: string; instance: string; address: string }): OtlpInstance {
  const intervalMs = target.exportIntervalMs ?? 10_000;
  const headers = async (): Promise<Record<string, string>> => {
    const token = target.token();
    return token === undefined ? {} : { Authorization: `Bearer ${token}` };
  };
  const resource = resourceFromAttributes({ 'service.name': identity.service, 'service.instance.id': identity.instance });
  const meters = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${target.url}/v1/metrics`, headers, timeoutMillis: Math.min(intervalMs, 10_000) }),
        exportIntervalMillis: intervalMs,
        exportTimeoutMillis: Math.min(intervalMs, 10_000),
      }),
    ],
  });
  const tracers = new BasicTracerProvider({
    resource,
    sampler: sampledOnceExportable(target.token),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${target.url}/v1/traces`, headers, timeoutMillis: Math.min(intervalMs, 10_000) }), {
        scheduledDelayMillis: intervalMs,
        maxQueueSize: 4_096,
        maxExportBatchSize: 1_024,
      }),
    ],
  });
  const meter = meters.getMeter('switchyard-demo');
  const tracer = tracers.getTracer('switchyard-demo');
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS_S };
  const serverDuration = meter.createHistogram('http.server.request.duration', { unit: 's', advice });
  const clientDuration = meter.createHistogram('http.client.request.duration', { unit: 's', advice });
  const own = serverAttributes(identity.address);

  const finish = (span: ReturnType<typeof tracer.startSpan>, status: number | undefined): void => {
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (status === undefined || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };

  return {
    stats: {
      record(_from, outcome: CallOutcome) {
        if (outcome.address === undefined) {
          // A call that found no instance (or whose breaker refused) is still a failed call to the
          // service, as a client addressing it by name records it: otelgrpc with a resolver that
          // has no address (UNAVAILABLE, `server.address` the target's host), an HTTP client
          // dialing `http://payments/…` through discovery. The intake maps a `server.address`
          // naming a registered service onto it, so the caller's edge into it carries the failures.
          // Without an `unsent` reason it was a call to an external: spans only (see `external`).
          if (outcome.unsent !== undefined) clientDuration.record(outcome.latencyMs / 1_000, unsentAttributes(outcome.to, outcome.unsent));
          return;
        }
        clientDuration.record(outcome.latencyMs / 1_000, {
          'http.request.method': 'GET',
          ...serverAttributes(outcome.address),
          // No answer (timeout, refused connection): the conventions' catch-all error type.
          ...(outcome.status === undefined ? { 'error.type': '_OTHER' } : { 'http.response.status_code': outcome.status }),
        });
      },
      take: () => [],
    },
    async serve(incoming, handle) {
      const started = performance.now();
      const span = tracer.startSpan('GET /work', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/work', 'url.path': '/work', ...own } }, parentOf(incoming));
      let status: number | undefined;
      try {
        status = await handle(trace.setSpan(ROOT_CONTEXT, span));
        return status;
      } finally {
        const attributes = { 'http.request.method': 'GET', 'http.route': '/work', ...own, 'http.response.status_code': status ?? 500 };
        serverDuration.record((performance.now() - started) / 1_000, attributes);
        finish(span, status ?? 500);
      }
    },
    async consume(queue, incoming, handle) {
      const { attributes, port } = EXTERNAL_SPANS[queue];
      const destination = attributes['messaging.destination.name'];
      const span = tracer.startSpan(
        `process ${String(destination)}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: { ...attributes, ...peerAttributes(queue, port), 'messaging.operation.type': 'process', 'messaging.consumer.group.name': identity.service },
        },
        parentOf(incoming),
      );
      let status: number | undefined;
      try {
        status = await handle(trace.setSpan(ROOT_CONTEXT, span));
        return status;
      } finally {
        if (status === undefined || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    },
    async callInstance(parent, address, send) {
      const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': `http://${address}/work`, ...serverAttributes(address) } }, parent);
      let status: number | undefined;
      try {
        status = await send(carrierOf(trace.setSpan(parent, span)) as Record<string, string>);
        return status;
      } finally {
        finish(span, status);
      }
    },
    unsent(parent, service, errorType, message) {
      const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { ...unsentAttributes(service, errorType), 'url.full': `http://${service}/work` } }, parent);
      span.setStatus({ code: SpanStatusCode.ERROR, message });
      span.end();
    },
    external(parent, name, startMs, error) {
      const shape = EXTERNAL_SPANS[name];
      const kind = EXTERNALS[name].kind === 'queue' ? SpanKind.PRODUCER : SpanKind.CLIENT;
      const span = tracer.startSpan(
        shape.name,
        { kind, startTime: startMs, attributes: { ...shape.attributes, ...peerAttributes(name, shape.port) } },
        parent,
      );
      if (error) span.setStatus({ code: SpanStatusCode.ERROR });
      const carried = kind === SpanKind.PRODUCER ? carrierOf(trace.setSpan(parent, span)) : {};
      span.end();
      return carried;
    },
    async shutdown() {
      await Promise.allSettled([meters.shutdown(), tracers.shutdown()]);
    },
  };
}
