import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Caller } from './caller';
import type { Faults } from './instance-server';
import { sampleLatencyMs, type Random } from './latency';
import type { Incoming, OtlpInstance } from './otel';
import { EXTERNALS, isExternal, type ExternalName, type ServicePlan } from './plan';
import type { CallStats, Party } from './stats';

export interface WorkOptions {
  plan: ServicePlan;
  faults: Faults;
  caller: Caller;
  from: () => Party;
  stats: CallStats;
  random: Random;
  /** The registry name of a fleet service (dubbo registers its interface). */
  registeredName: (service: string) => string;
  /** Called after a successful call to a queue: the message (with the producer's trace context) is now in the topic. */
  publish: (queue: ExternalName, message: Incoming) => void;
  /** Set when the instance reports through OpenTelemetry: external calls become db client and producer spans. */
  otlp?: Pick<OtlpInstance, 'external'>;
  /** Time and waiting (ms); virtual in tests. */
  clock?: WorkClock;
}

export interface WorkClock {
  now: () => number;
  sleep: (ms: number) => Promise<unknown>;
}

const REAL_CLOCK: WorkClock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/**
 * What an instance does per request (or consumed message): its own work, then its calls in order.
 * `parent` is the trace context of the request (or message) being handled.
 * Resolves to the HTTP status it answers: 503 for an injected error, 502 when a required call failed.
 */
export function createWork(options: WorkOptions): (parent?: Context) => Promise<number> {
  const { plan, faults, caller, stats, random } = options;
  const clock = options.clock ?? REAL_CLOCK;

  const callExternal = async (name: ExternalName, parent: Context): Promise<void> => {
    const external = EXTERNALS[name];
    const startMs = Date.now();
    const latencyMs = sampleLatencyMs(external.latency, random);
    await clock.sleep(latencyMs);
    const error = random() < external.errorRate;
    stats.record(options.from(), { to: name, latencyMs, error });
    const message = options.otlp?.external(parent, name, startMs, error) ?? {};
    if (error) throw new Error(`${name} failed`);
    if (external.kind === 'queue') options.publish(name, message);
  };

  const serve = async (parent: Context): Promise<number> => {
    const ownMs = sampleLatencyMs(plan.latency, random);
    if (random() < faults.errorRate) {
      await clock.sleep(ownMs / 2);
      return 503;
    }
    await clock.sleep(ownMs);
    for (const call of plan.calls) {
      if (random() >= call.chance) continue;
      try {
        await (isExternal(call.to) ? callExternal(call.to, parent) : caller.call(options.registeredName(call.to), parent));
      } catch {
        if (!call.optional) return 502;
      }
    }
    return 200;
  };

  return async (parent = ROOT_CONTEXT) => {
    const startedAt = clock.now();
    const status = await serve(parent);
    // A latency spike slows the whole answer, as its callers see it (own work, its calls, the
    // event loop's lateness): slowing only its own few ms of work left it ~3.5× slower, not 10×.
    if (faults.latencyFactor > 1) await clock.sleep((faults.latencyFactor - 1) * (clock.now() - startedAt));
    return status;
  };
}
