import type { Etcd3 } from 'etcd3';
import type { Departure } from '@/lib/model/status/lost';

/** What became of a deleted key's lease: the key as it was just before the delete names the lease, etcd says whether it lives. */
export type DepartedLease = (etcdKey: string, deleteRevision: string) => Promise<Departure['lease']>;

const LEASE_ANSWER_MS = 1_000;

/**
 * A delete event carries no lease, so the key is read at the revision before its delete (recent,
 * not yet compacted) and its lease asked about. Keys sharing one lease ask about it once.
 */
export function createDepartedLease(client: Etcd3): DepartedLease {
  const answers = new Map<string, Promise<Departure['lease']>>();
  const leaseState = (lease: string): Promise<Departure['lease']> => {
    let answer = answers.get(lease);
    if (!answer) {
      answer = client.leaseClient.leaseTimeToLive({ ID: lease }).then(
        (response) => (Number(response.TTL) > 0 ? 'alive' : 'gone'),
        () => 'unknown' as const,
      );
      answers.set(lease, answer);
      void answer.finally(() => setTimeout(() => answers.delete(lease), LEASE_ANSWER_MS).unref());
    }
    return answer;
  };
  return async (etcdKey, deleteRevision) => {
    try {
      const before = (BigInt(deleteRevision) - 1n).toString();
      const response = await client.kv.range({ key: Buffer.from(etcdKey), revision: before });
      const lease = response.kvs[0]?.lease;
      if (!lease || lease === '0') return 'none';
      return await leaseState(lease);
    } catch {
      return 'unknown';
    }
  };
}
