import type { Etcd3 } from 'etcd3';
import { topologyFleet } from './topology-fleet';

/**
 * The large fleet: `services` services shaped like the topology benchmark's (tiers, domains,
 * declared dependencies, external stores in metadata), `instancesPerService` instances each with
 * the value a Go or Node service registers (address, version, zone, metadata, dependsOn).
 * Written in etcd transactions of TXN_OPS puts, TXN_CONCURRENCY at a time.
 */

export interface FleetPlan {
  services: number;
  instancesPerService: number;
  /** The TCP port every instance's address names (bench/scale-acceptor.ts). */
  port: number;
}

export interface LoadedFleet {
  keys: number;
  valueBytes: number;
  transactions: number;
  services: string[];
}

const TXN_OPS = 100; // etcd's default --max-txn-ops is 128
const TXN_CONCURRENCY = 4;
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const VERSIONS = ['1.14.2', '1.15.0', '2.0.3'];

export async function loadFleet(client: Etcd3, prefix: string, plan: FleetPlan): Promise<LoadedFleet> {
  const fleet = topologyFleet(plan.services);
  let next = 0;
  let keys = 0;
  let valueBytes = 0;
  let transactions = 0;
  const total = fleet.length * plan.instancesPerService;
  // Built one transaction at a time, so the fleet never sits in memory as puts.
  const nextBatch = (): { key: Buffer; value: Buffer }[] => {
    const batch: { key: Buffer; value: Buffer }[] = [];
    while (batch.length < TXN_OPS && next < total) {
      const service = fleet[Math.floor(next / plan.instancesPerService)];
      const i = next % plan.instancesPerService;
      next += 1;
      if (!service) continue;
      const value = JSON.stringify({
        // Unique loopback addresses: the server's occasional probe stays on this machine and passes.
        address: `127.${(next >> 16) & 255}.${(next >> 8) & 255}.${next & 255}:${plan.port}`,
        version: VERSIONS[(next * 7) % VERSIONS.length],
        zone: ZONES[i % ZONES.length],
        metadata: { ...service.metadata, team: service.name.split('-')[0] ?? 'core', commit: ((next * 2_654_435_761) >>> 0).toString(16).slice(0, 7) },
        dependsOn: service.dependsOn,
      });
      batch.push({ key: Buffer.from(`${prefix}${service.name}/${service.name}-${String(i).padStart(2, '0')}`), value: Buffer.from(value) });
      valueBytes += value.length;
    }
    return batch;
  };
  const worker = async (): Promise<void> => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      await client.kv.txn({ compare: [], success: batch.map((put) => ({ request_put: put })) });
      keys += batch.length;
      transactions += 1;
    }
  };
  await Promise.all(Array.from({ length: TXN_CONCURRENCY }, worker));
  return { keys, valueBytes, transactions, services: fleet.map((service) => service.name) };
}
