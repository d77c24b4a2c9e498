import type { Etcd3, Lease } from 'etcd3';
import type { Format } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import { decodeEntry } from '@/lib/server/registry/decode';
import { registrationFor, type DemoInstance } from './formats';

export interface Registered {
  key: string;
  /** The registration as Switchyard decodes it: the service and id drains and call stats use. */
  registration: Registration;
}

export interface Registrar {
  /** The latest registration, kept after the key is abandoned so the instance keeps its name. */
  current(): Registered | undefined;
  /** Whether its key is in etcd now: put on the lease it keeps alive, neither lost nor abandoned since. */
  holds(): boolean;
  /** Grants a fresh lease, puts the key and keeps the lease alive; re-registers by itself if the lease is lost. */
  register(instance: DemoInstance): Promise<Registered>;
  /** Stops keep-alives: the key expires with its lease, as when the process dies or loses etcd. */
  abandon(): void;
  /** Revokes the lease (and any abandoned one not yet expired) so the key goes at once, as a graceful shutdown does. */
  revoke(): Promise<void>;
}

const REREGISTER_DELAY_MS = 1_000;
/** A revoke while etcd is gone must not hold up shutdown; the lease then expires on its own. */
const REVOKE_WAIT_MS = 2_000;

/** How `instance` decodes once registered in `format`; throws when the demo writes something undecodable. */
export function decodeOwnRegistration(format: Format, key: string, value: string, leaseId: string): Registration {
  const decoded = decodeEntry({ key, value: Buffer.from(value), lease: leaseId })?.[0];
  if (!decoded) throw new Error(`demo registration ${key} does not decode as ${format}`);
  return decoded;
}

/**
 * One instance's registration, held the way go-zero and kratos hold theirs: a lease of `ttlSeconds`
 * kept alive in the background; when etcd declares the lease lost, register again with a new one.
 */
export function createRegistrar(options: { client: Etcd3; format: Format; ttlSeconds: number; log: (message: string) => void }): Registrar {
  const { client, format, ttlSeconds, log } = options;
  let lease: Lease | undefined;
  let wanted: DemoInstance | undefined;
  let current: Registered | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  /** The lease the wanted key was last put on, until it is lost or dropped: set by a retry too, not only by register(). */
  let holding: Lease | undefined;
  /** Abandoned leases still count down in etcd; a graceful stop revokes them too, to leave no keys behind. */
  const abandoned = new Map<Lease, number>();

  const registerWanted = async (): Promise<Registered> => {
    const instance = wanted;
    if (!instance) throw new Error('nothing to register');
    const next = client.lease(ttlSeconds);
    lease = next;
    next.on('lost', () => {
      if (holding === next) holding = undefined;
      if (lease !== next || !wanted) return;
      log(`${instance.service}/${instance.id}: lease lost, registering again`);
      scheduleRetry();
    });
    const leaseId = await next.grant();
    const { key, value } = registrationFor(format, instance, leaseId);
    await next.put(key).value(value);
    // Abandoned while the put was under way: the key goes with the released lease.
    if (lease === next) holding = next;
    current = { key, registration: decodeOwnRegistration(format, key, value, leaseId) };
    return current;
  };

  const scheduleRetry = (): void => {
    clearTimeout(retry);
    retry = setTimeout(() => {
      if (wanted) registerWanted().catch(scheduleRetry);
    }, REREGISTER_DELAY_MS);
  };

  const drop = (): Lease | undefined => {
    const dropped = lease;
    wanted = undefined;
    lease = undefined;
    holding = undefined;
    clearTimeout(retry);
    return dropped;
  };

  const abandon = (): void => {
    const dropped = drop();
    if (!dropped) return;
    dropped.release();
    const now = Date.now();
    for (const [old, at] of abandoned) if (now - at > ttlSeconds * 1000) abandoned.delete(old);
    abandoned.set(dropped, now);
  };

  return {
    current: () => current,
    holds: () => holding !== undefined,
    register(instance) {
      abandon();
      wanted = instance;
      return registerWanted();
    },
    abandon,
    async revoke() {
      const leases = [drop(), ...abandoned.keys()].filter((held) => held !== undefined);
      abandoned.clear();
      const revoked = Promise.allSettled(leases.map((held) => held.revoke()));
      await Promise.race([revoked, new Promise((resolve) => setTimeout(resolve, REVOKE_WAIT_MS).unref())]);
    },
  };
}
