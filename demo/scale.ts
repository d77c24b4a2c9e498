import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3, Lease } from 'etcd3';
import { registrationFor } from './formats';
import { HEALTHY, startInstanceServer, type InstanceServer } from './instance-server';
import { sampleLatencyMs, type Random } from './latency';
import { scaleCalls, scalePlan } from './plan';
import { decodeOwnRegistration } from './registration';
import { createCallStats, startReporting, type CallReporter, type Party } from './stats';
import { startArrivals } from './traffic';

export interface ScaleOptions {
  services: number;
  instances: number;
  /** Light call traffic along `scaleCalls` (tiers calling the next one), with call statistics. */
  traffic: boolean;
  rps: number;
  leaseTtlSeconds?: number;
  reporter?: CallReporter;
  reportIntervalMs?: number;
  random?: Random;
}

export interface ScaleFleet {
  summary: string;
  stop(): Promise<void>;
}

/** etcd refuses transactions of more than 128 operations (--max-txn-ops); stay under it. */
const PUTS_PER_TXN = 100;
const TXNS_IN_FLIGHT = 4;
const SHARED_WORK = { medianMs: 5, sigma: 0.8 };

interface ScaleInstance {
  identity: Party;
  server: InstanceServer;
}

/**
 * Registration load for benchmarks: thousands of instances without a server each. Instance i of
 * every service points at shared loopback server i and holds shared lease i, so addresses and
 * go-zero lease-id keys stay unique within a service while the fleet needs only as many servers
 * and keep-alive streams as the largest service has instances (10 for 5,000 over 500), not 5,000.
 */
export async function startScaleFleet(client: Etcd3, options: ScaleOptions): Promise<ScaleFleet> {
  const random = options.random ?? Math.random;
  const started = Date.now();
  const plan = scalePlan(options.services, options.instances);
  const width = Math.max(...plan.map((service) => service.instances));
  const servers = await Promise.all(
    Array.from({ length: width }, () =>
      startInstanceServer({
        port: 0,
        faults: { ...HEALTHY },
        grpcHealth: false,
        work: async () => {
          await sleep(sampleLatencyMs(SHARED_WORK, random));
          return random() < 0.01 ? 500 : 200;
        },
      }),
    ),
  );
  const leases: Lease[] = Array.from({ length: width }, () => client.lease(options.leaseTtlSeconds ?? 10));
  const leaseIds = await Promise.all(leases.map((lease) => lease.grant()));

  const instances: ScaleInstance[][] = [];
  const puts: { key: string; value: string; lease: string }[] = [];
  for (const service of plan) {
    instances.push(
      Array.from({ length: service.instances }, (_, i) => {
        const server = servers[i] as InstanceServer;
        const lease = leaseIds[i] ?? '0';
        const demo = {
          service: service.service,
          id: `${service.service}-${i + 1}`,
          address: `127.0.0.1:${server.port}`,
          version: '1.0.0',
          zone: `zone-${i % 3}`,
          dependsOn: [],
          metadata: {},
        };
        const { key, value } = registrationFor(service.format, demo, lease);
        puts.push({ key, value, lease });
        const registration = decodeOwnRegistration(service.format, key, value, lease);
        return { identity: { service: registration.service, instance: registration.id }, server };
      }),
    );
  }
  for (let next = 0; next < puts.length; next += PUTS_PER_TXN * TXNS_IN_FLIGHT) {
    await Promise.all(
      Array.from({ length: TXNS_IN_FLIGHT }, (_, t) => puts.slice(next + t * PUTS_PER_TXN, next + (t + 1) * PUTS_PER_TXN))
        .filter((batch) => batch.length > 0)
        .map((batch) =>
          client.kv.txn({
            success: batch.map(({ key, value, lease }) => ({ request_put: { key: Buffer.from(key), value: Buffer.from(value), lease } })),
          }),
        ),
    );
  }

  let stopTraffic = (): void => undefined;
  let stopReporting = (): void => undefined;
  if (options.traffic) {
    const stats = createCallStats();
    if (options.reporter) stopReporting = startReporting(stats, options.reporter, options.reportIntervalMs ?? 5_000).stop;
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    const calls = scaleCalls(plan.length);
    const callers = calls.flatMap((callees, index) => (callees.length > 0 ? [index] : []));
    stopTraffic = startArrivals(
      options.rps,
      async () => {
        const from = pick(callers);
        if (from === undefined) return;
        const to = pick(calls[from] ?? []);
        const caller = pick(instances[from] ?? []);
        const target = to === undefined ? undefined : pick(instances[to] ?? []);
        if (!caller || !target) return;
        const begun = performance.now();
        let error = true;
        try {
          const response = await fetch(`http://127.0.0.1:${target.server.port}/work`, { signal: AbortSignal.timeout(2_000) });
          await response.arrayBuffer();
          error = response.status >= 500;
        } finally {
          stats.record(caller.identity, { to: target.identity.service, toInstance: target.identity.instance, latencyMs: performance.now() - begun, error });
        }
      },
      random,
    );
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  return {
    summary:
      `scale mode: ${puts.length} instances in ${plan.length} services registered in ${seconds} s ` +
      `(${width} shared leases and servers${options.traffic ? `, ${options.rps} calls/s` : ''})`,
    async stop() {
      stopTraffic();
      stopReporting();
      // Revoking the shared leases removes every key at once.
      await Promise.race([Promise.allSettled(leases.map((lease) => lease.revoke())), sleep(2_000)]);
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
