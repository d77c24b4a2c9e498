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
  /** Shared replicas start once: a second start (after stop(), or after a start that failed) throws. */
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
  /**
   * Set by the first start() and by stop(): a Replicas starts once. Its bus and membership stay
   * stopped once stopped (a stopped bus would connect and drop every publish), so whoever wants
   * to try again (a retry, a supervisor) creates new ones.
   */
  let used = false;
  return {
    shared: true,
    membership,
    bus,
    async start() {
      if (used) throw new Error('replicas start only once: after a stop or a failed start, create new ones');
      used = true;
      // All or nothing: whoever catches a failed start must not inherit a listening connection and
      // its timers. What started is stopped, last first; a stop that fails is logged, and the start's
      // own error is what is thrown.
      const started = createRuntimeParts(log);
      try {
        await bus.start();
        started.add('signal bus', bus, (running) => running.stop());
        // Added before its start, for a membership whose start rejects after joining partway. The
        // etcd one never rejects (it keeps trying in the background) and is stopped at stop().
        started.add('membership', membership, (joining) => joining.stop());
        await membership.start();
      } catch (error) {
        await started.stopAll();
        throw error;
      }
      log(`replica ${membership.id} joined: ${membership.members().length} replicas`);
    },
    async stop() {
      used = true;
      await membership.stop();
      await bus.stop();
    },
  };
}
