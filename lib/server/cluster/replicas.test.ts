import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '@/tests/support/postgres';
import type { Membership } from './membership';
import { createSharedReplicas, createSoloMembership } from './replicas';
import { createPostgresSignalBus, SIGNAL_APPLICATION_NAME, type SignalBus } from './signal-bus';

let postgres: TestPostgres;
let url: string;

beforeAll(async () => {
  postgres = await startPostgres();
  url = await postgres.createDatabase();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

/** The bus's LISTEN connections open at PostgreSQL, seen from the server's side. */
const busConnections = async (): Promise<number> =>
  (await postgres.query(url, 'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [SIGNAL_APPLICATION_NAME])).length;

/** A membership whose start fails once the bus listens (etcd refusing the lease, say), noting what it saw. */
function failingMembership(bus: SignalBus, seen: string[], stopError?: Error): Membership {
  return {
    ...createSoloMembership(),
    start: async () => {
      seen.push(`start: bus connected ${bus.stats().connected}, ${await busConnections()} connection`);
      throw new Error('etcd refused the lease');
    },
    stop: async () => {
      seen.push(`stop: bus connected ${bus.stats().connected}`);
      if (stopError) throw stopError;
    },
  };
}

describe('shared replicas', () => {
  it('whose membership start fails after the signal bus listens stop the membership, then the bus (its connection leaves PostgreSQL), and throw the start’s error', async () => {
    const bus = createPostgresSignalBus({ url, replicaId: 'replica-a' });
    const seen: string[] = [];
    const lines: string[] = [];
    const replicas = createSharedReplicas({ membership: failingMembership(bus, seen), bus, log: (line) => lines.push(line) });
    try {
      await expect(replicas.start()).rejects.toThrow('etcd refused the lease');
      expect(bus.stats().connected).toBe(false);
      // The server ends its side once the client's goodbye arrived: no sleep, a condition.
      await expect.poll(busConnections).toBe(0);
      // Last started, first stopped: the membership while the bus still listened.
      expect(seen).toEqual(['start: bus connected true, 1 connection', 'stop: bus connected true']);
      expect(lines).toEqual([]);
    } finally {
      await bus.stop();
    }
  });

  it('throw the start’s error, not a stop’s, when stopping what started fails too; the rest is still stopped', async () => {
    const bus = createPostgresSignalBus({ url, replicaId: 'replica-b' });
    const seen: string[] = [];
    const lines: string[] = [];
    const replicas = createSharedReplicas({ membership: failingMembership(bus, seen, new Error('lease revoke timed out')), bus, log: (line) => lines.push(line) });
    try {
      await expect(replicas.start()).rejects.toThrow('etcd refused the lease');
      expect(bus.stats().connected).toBe(false);
      await expect.poll(busConnections).toBe(0);
      expect(lines).toEqual(['stopping membership failed: lease revoke timed out']);
    } finally {
      await bus.stop();
    }
  });

  it('refuse to start again once stopped, or after a failed start stopped their parts: a stopped bus would connect and drop every publish', async () => {
    const bus = createPostgresSignalBus({ url, replicaId: 'replica-c' });
    const replicas = createSharedReplicas({ membership: createSoloMembership(), bus, log: () => undefined });
    try {
      await replicas.start();
      await replicas.stop();
      await expect(replicas.start()).rejects.toThrow('replicas start only once: after a stop or a failed start, create new ones');
      expect(bus.stats().connected).toBe(false);
      await expect.poll(busConnections).toBe(0);

      const failedBus = createPostgresSignalBus({ url, replicaId: 'replica-d' });
      const failed = createSharedReplicas({ membership: failingMembership(failedBus, []), bus: failedBus, log: () => undefined });
      await expect(failed.start()).rejects.toThrow('etcd refused the lease');
      await expect(failed.start()).rejects.toThrow('replicas start only once: after a stop or a failed start, create new ones');
      expect(failedBus.stats().connected).toBe(false);
      await expect.poll(busConnections).toBe(0);
    } finally {
      await bus.stop();
    }
  });
});
