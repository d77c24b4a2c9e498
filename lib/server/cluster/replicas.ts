import type { Etcd3 } from 'etcd3';
import { createRuntimeParts } from '../parts';
import { createMembership, type Membership } from './membership';
import { createLocalSignalBus, createPostgresSignalBus, type SignalBus } from './signal-bus';

/** How this process shares work with other replicas: membership (who probes what, who leads) and the signal carrier. */
export interface Replicas {
  /** Whether other replicas can exist (a shared PostgreSQL): alone, nothing needs to be told to them. */
  shared: boolean;
  membership: Membership;
  bus: SignalBus;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One replica alone: it probes everything and leads. */
export function createSoloMembership(): Membership {
  return {
    id: 'solo',
    start: () => Promise.resolve(),
    members: () => [],
    owns: () => true,
    isLeader: () => true,
    onChange: () => () => undefined,
    stop: () => Promise.resolve(),
  };
}

export interface ReplicasOptions {
  /** PostgreSQL shared by the replicas; unset (SQLite), this process is the only one. */
  databaseUrl: string | undefined;
  etcd: Etcd3;
  controlPrefix: string;
  ttlSeconds: number;
  log: (line: string) => void;
}

/**
 * Replicas exist only on a shared store: with SQLite one process owns the data, so it is alone by
 * construction. With PostgreSQL every process joins through etcd, even a single one, so that a
 * second one started later shares the work at once.
 */
export function createReplicas(options: ReplicasOptions): Replicas {
  if (options.databaseUrl === undefined) {
    const membership = createSoloMembership();
    const bus = createLocalSignalBus();
    return { shared: false, membership, bus, start: () => Promise.resolve(), stop: () => Promise.resolve() };
  }
  const membership = createMembership({ client: options.etcd, controlPrefix: options.controlPrefix, ttlSeconds: options.ttlSeconds, log: options.log });
  const bus = createPostgresSignalBus({ url: options.databaseUrl, replicaId: membership.id, log: options.log });
  return createSharedReplicas({ membership, bus, log: options.log });
}

/** Replicas on a shared store, from their parts: the etcd membership and the PostgreSQL signal bus. */
export function createSharedReplicas({ membership, bus, log }: { membership: Membership; bus: SignalBus; log: (line: string) => void }): Replicas {
  let wasLeader = false;
  membership.onChange(() => {
    const leads = membership.isLeader();
    if (leads !== wasLeader) log(`replica ${membership.id} ${leads ? 'leads now' : 'no longer leads'} (${membership.members().length} replicas)`);
    wasLeader = leads;
  });
  return {
    shared: true,
    membership,
    bus,
    async start() {
      // All or nothing: whoever catches a failed start (a retry, a supervisor) must not inherit a
      // listening connection and its timers. What started is stopped, last first; a stop that fails
      // is logged, and the start's own error is what is thrown.
      const started = createRuntimeParts(log);
      try {
        await bus.start();
        started.add('signal bus', bus, (running) => running.stop());
        // Before its start: one that fails midway may hold a lease already.
        started.add('membership', membership, (joining) => joining.stop());
        await membership.start();
      } catch (error) {
        await started.stopAll();
        throw error;
      }
      log(`replica ${membership.id} joined: ${membership.members().length} replicas`);
    },
    async stop() {
      await membership.stop();
      await bus.stop();
    },
  };
}
