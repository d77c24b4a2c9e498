import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  timeout,
  TimeoutStrategy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Endpoint } from './discovery';
import type { Random } from './latency';
import type { OtlpInstance } from './otel';
import type { CallStats, Party } from './stats';

/** Failures in a row that open an instance's breaker, and how long it stays open before a trial call. */
const BREAKER_THRESHOLD = 5;
const HALF_OPEN_AFTER_MS = 5_000;

export class NoEndpointError extends Error {
  constructor(service: string, why: string) {
    super(`${service}: ${why}`);
  }
}

class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

interface TargetBreaker {
  policy: CircuitBreakerPolicy;
  /** While open, the instance is skipped; afterwards one call may test it (half-open). */
  openUntil: number;
}

const endpointKey = (endpoint: Endpoint): string => `${endpoint.id}@${endpoint.address}`;

/**
 * Picks an instance at random, preferring ones not yet tried by this call and skipping ones whose
 * breaker is open; with every breaker open there is nothing to pick.
 */
export function chooseEndpoint(
  endpoints: readonly Endpoint[],
  isOpen: (endpoint: Endpoint) => boolean,
  tried: ReadonlySet<string>,
  random: Random,
): Endpoint | undefined {
  const closed = endpoints.filter((endpoint) => !isOpen(endpoint));
  const untried = closed.filter((endpoint) => !tried.has(endpointKey(endpoint)));
  const pool = untried.length > 0 ? untried : closed;
  return pool[Math.floor(random() * pool.length)];
}

export interface CallerOptions {
  /** Who is calling, as the registry names it (an instance's id can change when it re-registers). */
  from: () => Party;
  /** The current, undrained instances of a service. */
  endpoints: (service: string) => Endpoint[];
  stats: CallStats;
  random: Random;
  attemptTimeoutMs?: number;
  retries?: number;
  /**
   * Set when the caller reports through OpenTelemetry: each request gets a client span and carries
   * its context; a call that sent none (no instance, breaker refused) gets a failed one.
   */
  otlp?: Pick<OtlpInstance, 'callInstance' | 'unsent'>;
}

export interface Caller {
  /** One logical call to a service (`GET /work`) within the request traced by `parent`; rejects when every attempt failed. */
  call(service: string, parent?: Context): Promise<void>;
}

/**
 * Calls services over HTTP the way a Go RPC client stack does: per attempt a timeout, per target
 * instance a circuit breaker (so a dead instance stops getting traffic before its lease expires),
 * around it retries with jittered exponential backoff that move to another instance.
 */
export function createCaller(options: CallerOptions): Caller {
  const { stats, random } = options;
  const breakers = new Map<string, Map<string, TargetBreaker>>();
  const retrying = retry(handleAll, {
    maxAttempts: options.retries ?? 1,
    backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 250 }),
  });
  const perAttempt = timeout(options.attemptTimeoutMs ?? 1_500, TimeoutStrategy.Aggressive);

  /** This service's breakers, minus those of instances no longer registered. */
  const breakersOf = (service: string, endpoints: readonly Endpoint[]): Map<string, TargetBreaker> => {
    let byEndpoint = breakers.get(service);
    if (!byEndpoint) breakers.set(service, (byEndpoint = new Map()));
    const current = new Set(endpoints.map(endpointKey));
    for (const key of byEndpoint.keys()) if (!current.has(key)) byEndpoint.delete(key);
    return byEndpoint;
  };

  const breakerFor = (byEndpoint: Map<string, TargetBreaker>, endpoint: Endpoint): TargetBreaker => {
    const key = endpointKey(endpoint);
    const existing = byEndpoint.get(key);
    if (existing) return existing;
    const created: TargetBreaker = {
      policy: circuitBreaker(handleAll, { halfOpenAfter: HALF_OPEN_AFTER_MS, breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD) }),
      openUntil: 0,
    };
    created.policy.onBreak(() => (created.openUntil = Date.now() + HALF_OPEN_AFTER_MS));
    byEndpoint.set(key, created);
    return created;
  };

  const request = async (endpoint: Endpoint, signal: AbortSignal, parent: Context): Promise<number> => {
    const send = async (headers: Record<string, string>): Promise<number> => {
      const response = await fetch(`http://${endpoint.address}/work`, { signal, headers });
      await response.arrayBuffer();
      return response.status;
    };
    const status = await (options.otlp ? options.otlp.callInstance(parent, endpoint.address, send) : send({}));
    if (status >= 500) throw new UpstreamError(`${endpoint.service}/${endpoint.id} answered ${status}`, status);
    return status;
  };

  const attempt = async (service: string, tried: Set<string>, parent: Context): Promise<void> => {
    const endpoints = options.endpoints(service);
    const byEndpoint = breakersOf(service, endpoints);
    const now = Date.now();
    const target = chooseEndpoint(endpoints, (endpoint) => (byEndpoint.get(endpointKey(endpoint))?.openUntil ?? 0) > now, tried, random);
    if (!target) {
      const error = new NoEndpointError(service, endpoints.length === 0 ? 'no instance available' : 'every instance’s circuit is open');
      stats.record(options.from(), { to: service, unsent: 'NoEndpointError', latencyMs: 0, error: true });
      options.otlp?.unsent(parent, service, 'NoEndpointError', error.message);
      throw error;
    }
    tried.add(endpointKey(target));
    const started = performance.now();
    try {
      const status = await breakerFor(byEndpoint, target).policy.execute(() => perAttempt.execute((_context, signal) => request(target, signal, parent)));
      stats.record(options.from(), { to: service, toInstance: target.id, address: target.address, status, latencyMs: performance.now() - started, error: false });
    } catch (error) {
      // A breaker that refuses (half-open, trial under way) sent nothing to the instance.
      const refused = error instanceof BrokenCircuitError;
      const sent = refused ? { unsent: 'BrokenCircuitError' } : { toInstance: target.id, address: target.address };
      const status = error instanceof UpstreamError ? { status: error.status } : {};
      stats.record(options.from(), { to: service, ...sent, ...status, latencyMs: performance.now() - started, error: true });
      if (refused) options.otlp?.unsent(parent, service, 'BrokenCircuitError', error.message);
      throw error;
    }
  };

  return {
    async call(service, parent = ROOT_CONTEXT) {
      const tried = new Set<string>();
      await retrying.execute(() => attempt(service, tried, parent));
    },
  };
}
