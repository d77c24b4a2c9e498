import type { Discovery } from './discovery';
import type { RunningInstance } from './instance';
import type { Random } from './latency';
import { calledServices, type ServicePlan } from './plan';

export const SCENARIO_NAMES = ['kill-instance', 'hang-health', 'latency-spike', 'error-burst', 'flapping', 'lose-etcd', 'lose-etcd-all', 'service-down'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
/** What `--chaos` picks from: one service's trouble at a time, so not the whole fleet's (`lose-etcd-all`, on request only). */
const CHAOS_SCENARIOS: readonly ScenarioName[] = SCENARIO_NAMES.filter((name) => name !== 'lose-etcd-all');

/** What scenarios need from a fleet; narrow so tests can fake it. */
export type ChaosInstance = Pick<RunningInstance, 'label' | 'faults' | 'isServing' | 'isInEtcd' | 'kill' | 'restart' | 'loseEtcd' | 'rejoinEtcd' | 'healthChecked'>;
export interface ChaosFleet {
  plan: readonly ServicePlan[];
  instancesOf(service: string): ChaosInstance[];
  /** The callers' shared resolver: cut off from etcd with the whole fleet (`lose-etcd-all`). */
  discovery: Pick<Discovery, 'cutOff' | 'reconnect'>;
}

export interface ActiveScenario {
  description: string;
  revert(): Promise<void>;
  /** Kept at least this long (ms), when the usual time would revert it before the console can show it. */
  lastsMs?: number;
}

const LATENCY_SPIKE_FACTOR = 10;

/**
 * How long after the schedule starts a scenario can show anything: latency is judged against each
 * service's own usual p95 (the median of its per-minute p95 over the last hour), which needs 5
 * minutes of calls; a spike before then has nothing to be slower than. Every other scenario can
 * run at once.
 */
export const BASELINE_READY_MS = 330_000;
/** When the dashboard has seen the whole fleet pass its probes, so a fault shows against a healthy fleet. */
export const FLEET_SEEN_HEALTHY_MS = 25_000;
export function scenarioReadyAfterMs(name: ScenarioName): number {
  return name === 'latency-spike' ? BASELINE_READY_MS : 0;
}

const ERROR_BURST_RATE = 0.6;
/** How long `flapping` flaps (instance-server.ts): three failing stretches, the passing ones between and most of the one after. */
export const FLAPPING_LASTS_MS = 100_000;

const pickOne = <T>(items: readonly T[], random: Random): T | undefined => items[Math.floor(random() * items.length)];

const untouched = (instance: ChaosInstance): boolean =>
  instance.isServing() && instance.isInEtcd() && instance.faults.health === 'ok' && instance.faults.errorRate === 0 && instance.faults.latencyFactor === 1;

/** Any instance will do, or (for health-check faults) only one Switchyard probes beyond a TCP connect, which cannot see them. */
type Eligible = (instance: ChaosInstance) => boolean;
const anyInstance: Eligible = () => true;
const healthChecked: Eligible = (instance) => instance.healthChecked();

/** A service whose trouble shows upstream: one with callers, and (for single-instance faults) siblings to fail over to. */
function pickService(fleet: ChaosFleet, random: Random, needsSiblings: boolean, service?: string, eligible: Eligible = anyInstance): string {
  if (service) return service;
  const candidates = calledServices(fleet.plan).filter((name) => !needsSiblings || fleet.instancesOf(name).filter((instance) => untouched(instance) && eligible(instance)).length >= 2);
  const picked = pickOne(candidates, random);
  if (!picked) throw new Error('no service is in a state to take this scenario');
  return picked;
}

function pickInstance(fleet: ChaosFleet, random: Random, service?: string, eligible: Eligible = anyInstance): ChaosInstance {
  const name = pickService(fleet, random, true, service, eligible);
  const instances = fleet.instancesOf(name).filter(untouched);
  const picked = pickOne(instances.filter(eligible), random);
  if (!picked && instances.length > 0) throw new Error(`${name} is probed by TCP connect only, which cannot see a health-check fault; pick a service with a health path`);
  if (!picked) throw new Error(`${name} has no healthy instance left to break`);
  return picked;
}

type Apply = (fleet: ChaosFleet, random: Random, service?: string) => Promise<ActiveScenario>;

const SCENARIOS: Record<ScenarioName, Apply> = {
  async 'kill-instance'(fleet, random, service) {
    const instance = pickInstance(fleet, random, service);
    await instance.kill();
    return { description: `${instance.label} killed (server closed, keep-alive stopped: its key expires with the lease)`, revert: () => instance.restart() };
  },
  async 'hang-health'(fleet, random, service) {
    const instance = pickInstance(fleet, random, service, healthChecked);
    instance.faults.health = 'hang';
    return { description: `${instance.label}'s health checks hang (work still answered)`, revert: async () => void (instance.faults.health = 'ok') };
  },
  async 'latency-spike'(fleet, random, service) {
    const name = pickService(fleet, random, false, service);
    const instances = fleet.instancesOf(name);
    for (const instance of instances) instance.faults.latencyFactor = LATENCY_SPIKE_FACTOR;
    return {
      description: `${name} answers ${LATENCY_SPIKE_FACTOR}× slower`,
      revert: async () => instances.forEach((instance) => (instance.faults.latencyFactor = 1)),
    };
  },
  async 'error-burst'(fleet, random, service) {
    const instance = pickInstance(fleet, random, service);
    instance.faults.errorRate = ERROR_BURST_RATE;
    return { description: `${instance.label} answers ${ERROR_BURST_RATE * 100}% of requests with 503`, revert: async () => void (instance.faults.errorRate = 0) };
  },
  async flapping(fleet, random, service) {
    const instance = pickInstance(fleet, random, service, healthChecked);
    instance.faults.health = 'flapping';
    // Three failures with recoveries between (FLAP_FAILING_MS, FLAP_PASSING_MS): the 5 changes into or out of critical that fire ServiceFlapping by default come 85–96 s in at the 5 s probe interval, the page's 3 (status/flapping.ts) 50–61 s in. Kept 50 s at 15 s each way it made 4 at most, 2 when jitter cost a stretch its change.
    return { description: `${instance.label}'s health flaps between passing and failing`, revert: async () => void (instance.faults.health = 'ok'), lastsMs: FLAPPING_LASTS_MS };
  },
  async 'lose-etcd'(fleet, random, service) {
    const instance = pickInstance(fleet, random, service);
    instance.loseEtcd();
    // Its key expires up to a lease TTL (10 s) later; the console lists it lost once it still answers 20 s after that.
    return { description: `${instance.label} lost etcd (keep-alive stopped, key expires, still serving)`, revert: () => instance.rejoinEtcd(), lastsMs: 60_000 };
  },
  async 'lose-etcd-all'(fleet) {
    // The fleet's link to etcd cut: every lease ends while every instance serves on, and the callers
    // keep the endpoints they knew (their resolvers hear etcd no more), so calls go on. What the map's
    // "Likely origin: etcd" is for (lib/model/topology/shared-departure.ts).
    const instances = fleet.plan.flatMap((planned) => fleet.instancesOf(planned.service)).filter((instance) => instance.isServing() && instance.isInEtcd());
    await fleet.discovery.cutOff();
    for (const instance of instances) instance.loseEtcd();
    return {
      description: `the whole fleet lost etcd (${instances.length} instances: keep-alives stopped, keys expire, all still serving and calling each other)`,
      revert: async () => {
        // Registered again first, so the resolver's fresh read lists them; but one that cannot
        // register (etcd away) must not keep the resolver cut off, which retries on its own.
        const rejoined = await Promise.allSettled(instances.map((instance) => instance.rejoinEtcd()));
        await fleet.discovery.reconnect();
        const failed = rejoined.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
      },
      lastsMs: 60_000,
    };
  },
  async 'service-down'(fleet, random, service) {
    const name = pickService(fleet, random, false, service);
    const instances = fleet.instancesOf(name).filter((instance) => instance.isServing());
    await Promise.all(instances.map((instance) => instance.kill()));
    return {
      description: `every instance of ${name} is down; its callers fail`,
      revert: async () => void (await Promise.all(instances.map((instance) => instance.restart()))),
    };
  },
};

export function applyScenario(name: ScenarioName, fleet: ChaosFleet, random: Random, service?: string): Promise<ActiveScenario> {
  return SCENARIOS[name](fleet, random, service);
}

export interface ScheduleOptions {
  random: Random;
  log: (message: string) => void;
  /** Delay before the first scenario, so the dashboard sees the healthy fleet first. */
  firstAfterMs: number;
  /** How long each scenario lasts before it is reverted. */
  revertAfterMs: number;
}

/**
 * Runs scenarios one at a time: the given one once, or (`everyMs` set) a random one every
 * `everyMs` ± 10 %, each reverted after `revertAfterMs`. No scenario starts before it can show
 * anything (`scenarioReadyAfterMs`): the one-shot one waits for it, chaos picks among the ready
 * ones. Returns a function that stops the schedule.
 */
export function scheduleScenarios(
  fleet: ChaosFleet,
  options: ScheduleOptions & ({ once: ScenarioName; service?: string } | { everyMs: number }),
): () => void {
  const { random, log } = options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const scheduledAt = Date.now();
  const later = (ms: number, step: () => Promise<void>): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void step().catch((error: unknown) => log(`scenario: ${error instanceof Error ? error.message : String(error)}`));
    }, ms);
  };
  const run = async (): Promise<void> => {
    const ready = CHAOS_SCENARIOS.filter((candidate) => Date.now() - scheduledAt >= scenarioReadyAfterMs(candidate));
    const name = 'once' in options ? options.once : (pickOne(ready, random) ?? 'kill-instance');
    const startedAt = Date.now();
    // Chaos keeps its rhythm whether or not this scenario could apply or revert.
    const next = (): void => {
      if ('everyMs' in options) later(Math.max(options.everyMs * (0.9 + 0.2 * random()) - (Date.now() - startedAt), 0), run);
    };
    let active: ActiveScenario;
    try {
      active = await applyScenario(name, fleet, random, 'once' in options ? options.service : undefined);
    } catch (error) {
      next();
      throw error;
    }
    const revertAfterMs = Math.max(options.revertAfterMs, active.lastsMs ?? 0);
    log(`scenario ${name}: ${active.description}; reverting in ${Math.round(revertAfterMs / 1000)} s`);
    later(revertAfterMs, async () => {
      try {
        await active.revert();
        log(`scenario ${name}: reverted`);
      } finally {
        next();
      }
    });
  };
  later('once' in options ? Math.max(options.firstAfterMs, scenarioReadyAfterMs(options.once)) : options.firstAfterMs, run);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
