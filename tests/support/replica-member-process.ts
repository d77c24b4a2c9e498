/**
 * One replica's membership in a child process, run by `tests/support/replica-member.ts`: joins
 * through `createMembership` (the product's own code) and prints one JSON line per change — who
 * it sees, whether it leads, which of KEY_COUNT probe keys it owns, and when (its own clock).
 * SIGTERM stops it gracefully (lease revoked); SIGKILL leaves its lease to expire.
 */
import { Etcd3 } from 'etcd3';
import { z } from 'zod';
import { createMembership } from '@/lib/server/cluster/membership';

const env = z
  .object({
    ETCD_ENDPOINT: z.string(),
    CONTROL_PREFIX: z.string(),
    REPLICA_ID: z.string(),
    TTL_SECONDS: z.coerce.number().int().min(1).max(60),
    KEY_COUNT: z.coerce.number().int().min(0).max(10_000),
  })
  .parse(process.env);

const keys = Array.from({ length: env.KEY_COUNT }, (_, i) => `/services/svc-${i % 7}/instance-${i}`);
const client = new Etcd3({ hosts: env.ETCD_ENDPOINT });
const membership = createMembership({ client, controlPrefix: env.CONTROL_PREFIX, ttlSeconds: env.TTL_SECONDS, id: env.REPLICA_ID });
const report = (): void => {
  const owned = keys.flatMap((key, index) => (membership.owns(key) ? [index] : []));
  process.stdout.write(`${JSON.stringify({ at: Date.now(), members: membership.members().map((m) => m.id), leader: membership.isLeader(), owned })}\n`);
};
membership.onChange(report);
// Before start(): its first report (the parent's cue that it joined) is printed before start()
// resolves, and a SIGTERM arriving with no handler yet killed the process, leaving its key on a
// lease nobody revoked (seen on a loaded machine: the test stopping it waited for its TTL).
process.once('SIGTERM', () => {
  void membership.stop().then(() => {
    client.close();
    process.exit(0);
  });
});
await membership.start();
