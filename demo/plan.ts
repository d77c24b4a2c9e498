import { FORMATS, type Format } from '@/lib/model/instance';
import type { LatencyProfile } from './latency';

export type ExternalKind = 'database' | 'cache' | 'queue';

/**
 * Dependencies outside the fleet (database, cache, message queue): simulated as in-process
 * latency, never real servers. A service declares them by name in `dependsOn` (native format) and
 * as `external.<name>=<kind>` metadata wherever its framework's value has a metadata map; calls
 * to them are reported like any other call, with `to` = the name and no `toInstance`.
 */
export interface ExternalDependency {
  kind: ExternalKind;
  latency: LatencyProfile;
  errorRate: number;
}

export const EXTERNALS = {
  postgres: { kind: 'database', latency: { medianMs: 2.5, sigma: 0.8 }, errorRate: 0.001 },
  mysql: { kind: 'database', latency: { medianMs: 2, sigma: 0.8 }, errorRate: 0.001 },
  redis: { kind: 'cache', latency: { medianMs: 0.4, sigma: 0.5 }, errorRate: 0.0005 },
  kafka: { kind: 'queue', latency: { medianMs: 1.5, sigma: 0.7 }, errorRate: 0.001 },
} as const satisfies Record<string, ExternalDependency>;
export type ExternalName = keyof typeof EXTERNALS;

export function isExternal(name: string): name is ExternalName {
  return Object.hasOwn(EXTERNALS, name);
}

/** One thing a request may do downstream: call a fleet service or an external, with this chance. */
export interface Call {
  to: string;
  chance: number;
  /** A failure here is tolerated (the response degrades) instead of failing the request. */
  optional?: boolean;
}

export interface ServicePlan {
  /** The service's own name; the registry may show another (dubbo registers the interface). */
  service: string;
  format: Format;
  instances: number;
  /** Own work per request or message, before calling anything. */
  latency: LatencyProfile;
  /** Done in order for every request (or consumed message). */
  calls: Call[];
  /** Also answers `grpc.health.v1.Health/Check` on its address, as grpc-go and kitex servers do. */
  grpcHealth?: boolean;
  /** Generates the fleet's traffic, as an edge proxy receiving requests from outside would. */
  origin?: boolean;
  /** Handles messages from this queue instead of HTTP requests (calls to a queue publish to it). */
  consumes?: ExternalName;
  /**
   * Reports through the OpenTelemetry SDK (duration metrics and spans over OTLP) instead of our
   * ingest, when the fleet is given an OTLP target.
   */
  otlp?: boolean;
}

const fast = (medianMs: number): LatencyProfile => ({ medianMs, sigma: 0.6 });

/**
 * A small Go shop: an edge proxy in front of an API gateway, its backends, a database, a cache and
 * a queue (orders publish to kafka, notifications consume), each service registered the way its
 * framework does it — every registry format exactly once. More than half the instances report
 * through OpenTelemetry (`otlp`), among them the producer and consumer of the queue and every
 * MySQL caller, so the queue and database nodes come from real spans; the rest through ingest.
 */
export const DEMO_PLAN: readonly ServicePlan[] = [
  { service: 'ingress', format: 'goframe', instances: 2, latency: fast(0.3), calls: [{ to: 'api-gateway', chance: 1 }], origin: true },
  {
    service: 'api-gateway',
    format: 'native',
    instances: 3,
    latency: fast(1),
    calls: [
      { to: 'redis', chance: 1 },
      { to: 'auth', chance: 0.9 },
      { to: 'catalog', chance: 0.35 },
      { to: 'search', chance: 0.25 },
      { to: 'orders', chance: 0.25 },
      { to: 'users', chance: 0.2 },
      { to: 'recommendations', chance: 0.3, optional: true },
    ],
  },
  { service: 'auth', format: 'kratos', instances: 2, latency: fast(2), calls: [{ to: 'redis', chance: 1 }, { to: 'users', chance: 0.3 }] },
  { service: 'users', format: 'go-zero', instances: 3, latency: fast(3), calls: [{ to: 'redis', chance: 0.8 }, { to: 'postgres', chance: 0.4 }], otlp: true },
  {
    service: 'orders',
    format: 'go-micro',
    instances: 3,
    latency: fast(6),
    calls: [
      { to: 'users', chance: 0.5 },
      { to: 'inventory', chance: 1 },
      { to: 'payments', chance: 0.6 },
      { to: 'mysql', chance: 1 },
      { to: 'shipping', chance: 0.4 },
      { to: 'kafka', chance: 0.6 },
    ],
    otlp: true,
  },
  { service: 'payments', format: 'grpc-go', instances: 2, latency: { medianMs: 25, sigma: 0.9 }, calls: [{ to: 'mysql', chance: 1 }], grpcHealth: true, otlp: true },
  { service: 'inventory', format: 'kitex', instances: 2, latency: fast(4), calls: [{ to: 'postgres', chance: 0.7 }, { to: 'redis', chance: 1 }], grpcHealth: true, otlp: true },
  { service: 'search', format: 'rpcx', instances: 2, latency: { medianMs: 15, sigma: 0.8 }, calls: [{ to: 'catalog', chance: 0.5 }] },
  {
    service: 'catalog',
    format: 'hertz',
    instances: 3,
    latency: fast(3),
    calls: [{ to: 'redis', chance: 1 }, { to: 'postgres', chance: 0.3 }, { to: 'reviews', chance: 0.3, optional: true }],
  },
  { service: 'reviews', format: 'jupiter', instances: 2, latency: fast(4), calls: [{ to: 'postgres', chance: 0.8 }], otlp: true },
  {
    service: 'recommendations',
    format: 'generic',
    instances: 2,
    latency: { medianMs: 12, sigma: 0.7 },
    calls: [{ to: 'catalog', chance: 1 }, { to: 'users', chance: 0.5 }],
  },
  { service: 'shipping', format: 'plain', instances: 2, latency: fast(5), calls: [{ to: 'postgres', chance: 1 }], otlp: true },
  {
    service: 'notifications',
    format: 'dubbo-app',
    instances: 2,
    latency: fast(2),
    calls: [{ to: 'users', chance: 1 }, { to: 'mailer', chance: 1 }],
    consumes: 'kafka',
    otlp: true,
  },
  { service: 'mailer', format: 'dubbo', instances: 2, latency: { medianMs: 30, sigma: 0.5 }, calls: [], otlp: true },
];

/** Services some other service calls: the ones whose outage cascades upstream. */
export function calledServices(plan: readonly ServicePlan[]): string[] {
  const called = new Set(plan.flatMap((service) => service.calls.map((call) => call.to)));
  return plan.map((service) => service.service).filter((name) => called.has(name));
}

/** Externals a service touches, including the queue it consumes. */
export function externalsOf(service: ServicePlan): ExternalName[] {
  const names = [...service.calls.map((call) => call.to), ...(service.consumes ? [service.consumes] : [])];
  return [...new Set(names.filter(isExternal))];
}

/** Problems that would make the fleet misbehave silently; empty when the plan is sound. */
export function planProblems(plan: readonly ServicePlan[]): string[] {
  const names = new Set(plan.map((service) => service.service));
  const problems: string[] = [];
  if (names.size !== plan.length) problems.push('service names repeat');
  for (const service of plan) {
    for (const call of service.calls) {
      if (!names.has(call.to) && !isExternal(call.to)) problems.push(`${service.service} calls unknown ${call.to}`);
      if (call.to === service.service) problems.push(`${service.service} calls itself`);
    }
  }
  return problems;
}

export interface ScaleService {
  service: string;
  format: Format;
  instances: number;
}

const SCALE_NAMES = ['orders', 'users', 'payments', 'billing', 'catalog', 'search', 'ledger', 'pricing', 'shipping', 'media'];

/**
 * `services` services sharing `instances` instances as evenly as possible, formats in turn, for
 * registration benchmarks. Deterministic, so two runs register the same keys.
 */
export function scalePlan(services: number, instances: number): ScaleService[] {
  const base = Math.floor(instances / services);
  const extra = instances % services;
  const width = String(services).length;
  return Array.from({ length: services }, (_, i) => ({
    service: `${SCALE_NAMES[i % SCALE_NAMES.length] ?? 'svc'}-${String(i + 1).padStart(width, '0')}`,
    format: FORMATS[i % FORMATS.length] ?? 'native',
    instances: base + (i < extra ? 1 : 0),
  }));
}

/** Tiers of the scale fleet's calls: a front, middle tiers and leaves, like a real fleet's depth. */
const MAX_SCALE_TIERS = 5;
const SERVICES_PER_TIER = 10;

/**
 * Who calls whom in the scale demo, by index into `scalePlan`: the services in tiers of about ten
 * (at most five tiers), each calling two or three of the next tier (the one at its place, and one
 * further along for mixing) and nothing above, so the map is a layered graph of calls one way, as
 * a fleet's is; every service below the front is called and every one above the last calls.
 */
export function scaleCalls(services: number): number[][] {
  const tiers = Math.max(Math.min(2, services), Math.min(MAX_SCALE_TIERS, Math.round(services / SERVICES_PER_TIER)));
  const tierStart = (tier: number): number => Math.round((tier * services) / tiers);
  const calls = Array.from({ length: services }, () => new Set<number>());
  for (let tier = 0; tier + 1 < tiers; tier++) {
    const from = tierStart(tier);
    const to = tierStart(tier + 1);
    const callers = to - from;
    const callees = tierStart(tier + 2) - to;
    for (let p = 0; p < callers; p++) calls[from + p]?.add(to + (p % callees)).add(to + ((3 * p + 1) % callees));
    for (let q = 0; q < callees; q++) calls[from + (q % callers)]?.add(to + q);
  }
  return calls.map((callees) => [...callees].sort((a, b) => a - b));
}
