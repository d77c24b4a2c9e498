import { Gauge, type Registry } from 'prom-client';
import type { ProberStats } from '../prober/prober';
import type { Membership } from './membership';
import type { SignalBus } from './signal-bus';

/** Replica figures on `/metrics`: how many, who leads, how the work and the signals are shared. */
export function registerReplicaMetrics(registry: Registry, parts: { membership: Membership; bus: SignalBus; probes: () => ProberStats }): void {
  const { membership, bus } = parts;
  new Gauge({
    name: 'switchyard_replicas',
    help: 'Replicas this one sees through etcd (0 when running alone on SQLite)',
    registers: [registry],
    collect() {
      this.set(membership.members().length);
    },
  });
  new Gauge({
    name: 'switchyard_replica_leader',
    help: '1 while this replica does the leader duties (retention pruning, history rows no natural key deduplicates)',
    registers: [registry],
    collect() {
      this.set(membership.isLeader() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'switchyard_probes_completed',
    help: 'Probes this replica has made since it started (replicas divide the instances between them)',
    registers: [registry],
    collect() {
      this.set(parts.probes().probed);
    },
  });
  new Gauge({
    name: 'switchyard_replica_signals',
    help: 'Signals between replicas since start: sent, received, rejected (invalid), dropped (queue full or too big)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = bus.stats();
      for (const outcome of ['sent', 'received', 'rejected', 'dropped'] as const) this.set({ outcome }, stats[outcome]);
    },
  });
}
