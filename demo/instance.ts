import type { Etcd3 } from 'etcd3';
import { probeKindOf } from '@/lib/model/status/probe-kind';
import type { DemoInstance } from './formats';
import { HEALTHY, startInstanceServer, type Faults, type InstanceServer } from './instance-server';
import type { Incoming } from './otel';
import type { ServicePlan } from './plan';
import { createRegistrar, type Registered } from './registration';
import type { Party } from './stats';

/** One running demo instance: its server, its registration, its background work, and the faults it suffers. */
export interface RunningInstance {
  readonly plan: ServicePlan;
  /** `orders-2`: the demo's own name for it, stable across restarts. */
  readonly label: string;
  readonly faults: Faults;
  address(): string;
  /** Its service and id as the registry decodes them (go-zero ids change on every new lease). */
  identity(): Party;
  registered(): Registered | undefined;
  /** `GET /work` requests received since start, across restarts. */
  requestsServed(): number;
  isServing(): boolean;
  isInEtcd(): boolean;
  /** Switchyard probes it beyond a TCP connect (HTTP or gRPC health), so a health-check fault shows. */
  healthChecked(): boolean;
  /** Process crash: the server goes, keep-alives stop, the key expires with its lease. */
  kill(): Promise<void>;
  /** Comes back (on its old port when free) and registers with a fresh lease. */
  restart(): Promise<void>;
  /** Network partition from etcd: keep-alives stop, the key expires, the server keeps serving. */
  loseEtcd(): void;
  rejoinEtcd(): Promise<void>;
  /** Graceful shutdown: lease revoked, server closed. */
  stop(): Promise<void>;
}

export interface InstanceOptions {
  client: Etcd3;
  plan: ServicePlan;
  /** What it registers; the address is filled in once the server listens. */
  registration: Omit<DemoInstance, 'address'>;
  ttlSeconds: number;
  /** Handles one request carrying `incoming` trace context; `instance` is the instance itself. */
  work(instance: RunningInstance, incoming: Incoming): Promise<number>;
  /** Starts the instance's own loops (traffic, queue consumer); returns a function that stops them. */
  background(instance: RunningInstance): () => void;
  log: (message: string) => void;
}

export async function startInstance(options: InstanceOptions): Promise<RunningInstance> {
  const { plan } = options;
  const registrar = createRegistrar({ client: options.client, format: plan.format, ttlSeconds: options.ttlSeconds, log: options.log });
  const faults: Faults = { ...HEALTHY };
  let server: InstanceServer | undefined;
  let port = 0;
  let served = 0;
  let stopBackground: (() => void) | undefined;

  const listen = async (): Promise<void> => {
    const start = (wanted: number): Promise<InstanceServer> =>
      startInstanceServer({
        port: wanted,
        faults,
        grpcHealth: plan.grpcHealth ?? false,
        work(incoming) {
          served += 1;
          return options.work(instance, incoming);
        },
      });
    // A restarted process gets its old port back unless someone else took it meanwhile.
    server = await start(port).catch(() => start(0));
    port = server.port;
    stopBackground = options.background(instance);
  };
  const register = async (): Promise<void> => {
    await registrar.register({ ...options.registration, address: `127.0.0.1:${port}` });
  };

  const instance: RunningInstance = {
    plan,
    label: options.registration.id,
    faults,
    address: () => `127.0.0.1:${port}`,
    identity() {
      const registration = registrar.current()?.registration;
      return registration ? { service: registration.service, instance: registration.id } : { service: plan.service, instance: options.registration.id };
    },
    registered: () => registrar.current(),
    requestsServed: () => served,
    isServing: () => server !== undefined,
    // The registrar's word, not a flag set by rejoinEtcd(): a rejoin etcd refused is retried by the registrar itself.
    isInEtcd: () => registrar.holds(),
    healthChecked() {
      const registration = registrar.current()?.registration;
      return registration !== undefined && probeKindOf(registration).kind !== 'tcp';
    },
    async kill() {
      stopBackground?.();
      stopBackground = undefined;
      registrar.abandon();
      const closing = server;
      server = undefined;
      await closing?.close();
    },
    async restart() {
      if (!server) await listen();
      await instance.rejoinEtcd();
    },
    loseEtcd() {
      registrar.abandon();
    },
    async rejoinEtcd() {
      if (registrar.holds()) return;
      await register();
    },
    async stop() {
      stopBackground?.();
      stopBackground = undefined;
      await registrar.revoke();
      const closing = server;
      server = undefined;
      await closing?.close();
    },
  };
  await listen();
  await instance.rejoinEtcd();
  return instance;
}
