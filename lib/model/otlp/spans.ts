import type { ObservedNodeKind } from '../latency';
import { calleeOf, isError, reporterInstanceOf, type Callee, type RegistryLookup } from './peer';
import { attributeText, type Attributes } from './schema';
import { SPAN_KIND, STATUS_ERROR, type OtlpSpan } from './trace-schema';

/** When a span ended, how long it took, and whether it failed. */
export interface SpanTiming {
  endMs: number;
  durationMs: number;
  error: boolean;
}

/** The reporting side of a span: resource `service.name` and the registered instance it is. */
export interface SpanReporter {
  service: string;
  instance?: string;
}

/**
 * What one span says about the graph:
 * - `server`: a call received; pairs with the client span that is its parent (`pairKey`, absent for a root span);
 * - `client`: a call made; waits for its server span under `pairKey`, and names its callee from peer attributes for when none comes;
 * - `edge`: a call to or from a node that reports no spans (a queue named by the span, a database), complete on its own.
 */
export type SpanFact =
  | ({ role: 'server'; pairKey?: string; reporter: SpanReporter } & SpanTiming)
  | ({ role: 'client'; pairKey: string; reporter: SpanReporter; callee?: Callee } & SpanTiming)
  | ({ role: 'edge'; from: string; to: string; toInstance?: string; node: { name: string; kind: ObservedNodeKind; side: 'from' | 'to' } } & SpanTiming);

/** Names over this (services, queues, databases) refuse the span, as ingest refuses them. */
export const MAX_NODE_NAME = 256;

/** Buckets per doubling of the fixed scale a span's duration is recorded on. */
const BUCKETS_PER_DOUBLING = 8;

/**
 * The bucket of a fixed log scale (bounds 2^(k/8): each ~9 % wide, so its midpoint is within ±4.5 %)
 * holding a duration in ms. Spans are recorded this way, not by their exact durations: a second's
 * slot then holds a few dozen distinct values, as reporters' histograms give, instead of one per
 * span (which would turn every busy slot into a 5 KB sketch).
 */
export function durationBucket(ms: number): DurationBucket {
  const k = Math.ceil(Math.log2(Math.min(MAX_DURATION_MS, Math.max(MIN_DURATION_MS, ms))) * BUCKETS_PER_DOUBLING);
  return BUCKETS[k - FIRST_BUCKET] ?? bucketAt(k);
}

/** A bucket of the scale; `bounds` is `[lower, upper]`, one frozen list per bucket, shared by every span recorded in it. */
export interface DurationBucket {
  lower: number;
  upper: number;
  bounds: readonly [number, number];
}

const MIN_DURATION_MS = 0.001;
const MAX_DURATION_MS = 3_600_000;

function bucketAt(k: number): DurationBucket {
  const lower = 2 ** ((k - 1) / BUCKETS_PER_DOUBLING);
  const upper = 2 ** (k / BUCKETS_PER_DOUBLING);
  return Object.freeze({ lower, upper, bounds: Object.freeze([lower, upper] as const) });
}

/** Every bucket between the clamps (~250), made once: a span costs a lookup, not two powers and two allocations. */
const FIRST_BUCKET = Math.ceil(Math.log2(MIN_DURATION_MS) * BUCKETS_PER_DOUBLING);
const BUCKETS: readonly DurationBucket[] = Array.from({ length: Math.ceil(Math.log2(MAX_DURATION_MS) * BUCKETS_PER_DOUBLING) - FIRST_BUCKET + 1 }, (_, i) => bucketAt(FIRST_BUCKET + i));

/** `<system>:<name>`, or whichever of the two is known. */
function nodeName(system: string | undefined, name: string | undefined): string | undefined {
  if (system && name) return `${system}:${name}`;
  return name || system || undefined;
}

/**
 * The name the caller gives the peer (`service.peer.name`, older `peer.service`), which names a
 * queue or database node before anything else, as in Tempo's service graphs: it is how a service
 * says "this is the `mysql` my registration declares", so spans and the registry draw one node.
 */
const peerNameOf = (attributes: Attributes): string | undefined =>
  attributeText(attributes, 'service.peer.name') || attributeText(attributes, 'peer.service') || undefined;

/** A queue named by the peer name, else by `messaging.destination.name` (older: `messaging.destination`) and `messaging.system`. */
function queueOf(attributes: Attributes): string | undefined {
  const destination = attributeText(attributes, 'messaging.destination.name') ?? attributeText(attributes, 'messaging.destination');
  if (!destination) return undefined;
  return peerNameOf(attributes) ?? nodeName(attributeText(attributes, 'messaging.system'), destination);
}

/** A database named by the peer name, else by `db.namespace` / `db.name`, else `server.address`, with `db.system` (`db.system.name` in current conventions). */
function databaseOf(attributes: Attributes): string | undefined {
  const system = attributeText(attributes, 'db.system.name') ?? attributeText(attributes, 'db.system');
  if (!system) return undefined;
  return peerNameOf(attributes) ?? nodeName(system, attributeText(attributes, 'db.namespace') ?? attributeText(attributes, 'db.name') ?? attributeText(attributes, 'server.address'));
}

const protocolOf = (attributes: Attributes): 'http' | 'rpc' =>
  attributeText(attributes, 'rpc.system') !== undefined || attributeText(attributes, 'rpc.system.name') !== undefined ? 'rpc' : 'http';

/**
 * One span → its fact, `null` for a span the graph does not use (internal, or kind unspecified), or
 * why it is refused. Errors: span status ERROR, HTTP status ≥ 500, RPC status not OK. `resource` is
 * the reporter as its resource names it; facts that name the same reporter share that object
 * (waiting spans hold it for seconds: one per resource, not one per span).
 */
export function spanFact(span: OtlpSpan, resource: SpanReporter, registry: RegistryLookup): SpanFact | null | string {
  if (span.traceId === '' || span.spanId === '') return 'span has no traceId or spanId';
  if (span.startTimeUnixNano <= 0 || span.endTimeUnixNano < span.startTimeUnixNano) return 'span has no start time or ends before it starts';
  const attributes = span.attributes;
  const timing: SpanTiming = {
    endMs: span.endTimeUnixNano / 1e6,
    durationMs: (span.endTimeUnixNano - span.startTimeUnixNano) / 1e6,
    error: span.status.code === STATUS_ERROR || isError(attributes, protocolOf(attributes)),
  };
  const { service } = resource;
  const queue = queueOf(attributes);
  const database = span.kind === SPAN_KIND.client ? databaseOf(attributes) : undefined;
  if ((queue?.length ?? 0) > MAX_NODE_NAME || (database?.length ?? 0) > MAX_NODE_NAME) return `queue or database name over ${MAX_NODE_NAME} characters`;
  if (queue && (span.kind === SPAN_KIND.producer || span.kind === SPAN_KIND.client)) {
    return { role: 'edge', from: service, to: queue, node: { name: queue, kind: 'queue', side: 'to' }, ...timing };
  }
  if (queue && (span.kind === SPAN_KIND.consumer || span.kind === SPAN_KIND.server)) {
    const instance = reporterInstanceOf(attributes, service, resource.instance, registry);
    return { role: 'edge', from: queue, to: service, ...(instance ? { toInstance: instance } : {}), node: { name: queue, kind: 'queue', side: 'from' }, ...timing };
  }
  if (span.kind === SPAN_KIND.client) {
    if (database) return { role: 'edge', from: service, to: database, node: { name: database, kind: 'database', side: 'to' }, ...timing };
    const callee = calleeOf(attributes, registry);
    return { role: 'client', pairKey: `${span.traceId}:${span.spanId}`, reporter: resource, ...(callee ? { callee } : {}), ...timing };
  }
  if (span.kind === SPAN_KIND.server) {
    const instance = reporterInstanceOf(attributes, service, resource.instance, registry);
    const reporter = instance === resource.instance ? resource : { service, ...(instance ? { instance } : {}) };
    return { role: 'server', ...(span.parentSpanId ? { pairKey: `${span.traceId}:${span.parentSpanId}` } : {}), reporter, ...timing };
  }
  return null;
}
