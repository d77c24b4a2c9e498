import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Etcd3 } from 'etcd3';
import { createCaller } from './caller';
import { startDiscovery, type Discovery } from './discovery';
import { registeredServiceName, registrationPrefix } from './formats';
import { startInstance, type RunningInstance } from './instance';
import type { Random } from './latency';
import { startOtlpInstance, type Incoming, type OtlpInstance, type OtlpTarget } from './otel';
import { calledServices, DEMO_PLAN, EXTERNALS, externalsOf, isExternal, planProblems, type ExternalName, type ServicePlan } from './plan';
import { createCallStats, startReporting, type CallReporter } from './stats';
import { createTopic, startArrivals, startConsumer, type Topic } from './traffic';
import { createWork } from './work';

export interface FleetOptions {
  plan?: readonly ServicePlan[];
  /** Lease TTL of every registration; tests use 2–3 s to see expiry quickly. */
  leaseTtlSeconds?: number;
  /** Requests per second entering the fleet, shared by the origin service's instances. */
  rps?: number;
  /** Switchyard's control prefix, where drains live. */
  controlPrefix?: string;
  /** Where call statistics go; none = not reported. */
  reporter?: CallReporter;
  /** Where the plan's `otlp` services export metrics and spans; none = they report through `reporter` too. */
  otlp?: OtlpTarget;
  reportIntervalMs?: number;
  random?: Random;
  log?: (message: string) => void;
}

export interface Fleet {
  plan: readonly ServicePlan[];
  instances: RunningInstance[];
  instancesOf(service: string): RunningInstance[];
  /** The callers' shared resolver (`lose-etcd-all` cuts it off from etcd). */
  discovery: Pick<Discovery, 'cutOff' | 'reconnect'>;
  stop(): Promise<void>;
}

/** How long stopping waits for the OpenTelemetry exporters' final flush. */
const FINAL_FLUSH_MS = 1_000;

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/**
 * Starts every instance of the plan: a loopback server each, registered in its framework's format
 * under a kept-alive lease, calling its dependencies through a shared registry watch that honours
 * drains, with traffic entering at the origin service and call statistics reported per instance.
 */
export async function startFleet(client: Etcd3, options: FleetOptions = {}): Promise<Fleet> {
  const plan = options.plan ?? DEMO_PLAN;
  const problems = planProblems(plan);
  if (problems.length > 0) throw new Error(`demo plan: ${problems.join('; ')}`);
  const random = options.random ?? Math.random;
  const log = options.log ?? ((message: string) => console.log(message));
  const byName = new Map(plan.map((service) => [service.service, service]));
  const registeredName = (service: string): string => {
    const planned = byName.get(service);
    return planned ? registeredServiceName(planned.format, service) : service;
  };

  const discovery = await startDiscovery({
    client,
    prefixes: calledServices(plan).map((service) => registrationPrefix(byName.get(service)?.format ?? 'native', service)),
    controlPrefix: options.controlPrefix ?? '/switchyard/',
    log,
  });
  const stats = createCallStats();
  const reporting = options.reporter && startReporting(stats, options.reporter, options.reportIntervalMs ?? 5_000);
  const topics = new Map<ExternalName, Topic>();
  const topic = (name: ExternalName): Topic => {
    let found = topics.get(name);
    if (!found) topics.set(name, (found = createTopic()));
    return found;
  };

  const originInstances = plan.filter((service) => service.origin).reduce((sum, service) => sum + service.instances, 0);
  const otlpInstances: OtlpInstance[] = [];
  const startOne = (service: ServicePlan, index: number): Promise<RunningInstance> => {
    const externals = externalsOf(service);
    const id = `${service.service}-${index + 1}`;
    let handler: ((incoming: Incoming) => Promise<number>) | undefined;
    // Built on first use, when the instance (and so its address) exists.
    const handlerOf = (instance: RunningInstance): ((incoming: Incoming) => Promise<number>) => {
      if (handler) return handler;
      const otlpTarget = service.otlp ? options.otlp : undefined;
      const otlp = otlpTarget && startOtlpInstance(otlpTarget, { service: registeredName(service.service), instance: id, address: instance.address() });
      if (otlp) otlpInstances.push(otlp);
      const reportedBy = otlp?.stats ?? stats;
      const work = createWork({
        plan: service,
        faults: instance.faults,
        caller: createCaller({ from: () => instance.identity(), endpoints: (name) => discovery.endpoints(name), stats: reportedBy, random, ...(otlp && { otlp }) }),
        from: () => instance.identity(),
        stats: reportedBy,
        random,
        registeredName,
        publish: (queue, message) => topic(queue).publish(message),
        ...(otlp && { otlp }),
      });
      const queue = service.consumes;
      if (!otlp) handler = () => work(ROOT_CONTEXT);
      else if (queue) handler = (incoming) => otlp.consume(queue, incoming, work);
      else handler = (incoming) => otlp.serve(incoming, work);
      return handler;
    };
    return startInstance({
      client,
      plan: service,
      ttlSeconds: options.leaseTtlSeconds ?? 10,
      registration: {
        service: service.service,
        id,
        version: index === 0 && service.instances > 2 ? '1.9.0-canary' : '1.8.3',
        zone: ZONES[index % ZONES.length] ?? 'eu-west-1a',
        dependsOn: [...new Set(service.calls.map((call) => (isExternal(call.to) ? call.to : registeredName(call.to))))],
        metadata: Object.fromEntries(externals.map((name) => [`external.${name}`, EXTERNALS[name].kind])),
      },
      work: (instance, incoming) => handlerOf(instance)(incoming),
      background(instance) {
        if (service.origin) return startArrivals((options.rps ?? 10) / Math.max(originInstances, 1), () => handlerOf(instance)({}), random);
        if (service.consumes) return startConsumer(topic(service.consumes), handlerOf(instance));
        return () => undefined;
      },
      log,
    });
  };

  const startAll = (services: readonly ServicePlan[]): Promise<RunningInstance[]> =>
    Promise.all(services.flatMap((service) => Array.from({ length: service.instances }, (_, index) => startOne(service, index))));
  // Traffic starts last, once there is a fleet to receive it.
  const instances = [...(await startAll(plan.filter((service) => !service.origin))), ...(await startAll(plan.filter((service) => service.origin)))];
  return {
    plan,
    instances,
    instancesOf: (service) => instances.filter((instance) => instance.plan.service === service),
    discovery,
    async stop() {
      reporting?.stop();
      await Promise.allSettled(instances.map((instance) => instance.stop()));
      // Last: the final metrics and spans are flushed on shutdown, for a second at most. Ctrl-C
      // reaches the dashboard as it reaches us, and exporters retrying a gone endpoint held the
      // demo's exit for their 10 s timeout.
      await Promise.race([Promise.allSettled(otlpInstances.map((otlp) => otlp.shutdown())), new Promise((resolve) => setTimeout(resolve, FINAL_FLUSH_MS).unref())]);
      await discovery.stop();
    },
  };
}
