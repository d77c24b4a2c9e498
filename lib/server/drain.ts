import type { Etcd3 } from 'etcd3';
import type { DrainRequest } from '@/lib/model/drain';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Drain, Instance } from '@/lib/model/instance';
import { drainEtcdKey, parseDrainValue } from './registry/drain-keys';
import type { InstanceReader } from './store/store';

export type DrainOutcome =
  | { ok: true; instance: Instance }
  | { ok: false; status: 404 | 409; code: string; message: string; field?: string; current?: Drain | null };

export interface DrainServiceOptions {
  client: Etcd3;
  store: InstanceReader;
  controlPrefix: string;
  /** Drains and undrains done through the API are recorded with who did them. */
  record: (event: NewHistoryEvent) => void;
  /**
   * The registry's lineage (registry/lineage.ts): the drain events recorded here and by the registry
   * from the watch share natural keys. Default (or before the first listing): the cluster id.
   */
  lineage?: () => string;
  /** How long the API waits to see its own write come back through the watch. */
  settleMs?: number;
  now?: () => Date;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const describeTtl = (seconds: number): string =>
  seconds % 3_600 === 0 ? `${seconds / 3_600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

/**
 * The one write path for drains (DESIGN §1): a transaction on the control prefix in etcd. The API
 * never changes the store itself; it waits until its write comes back through the watch, so every
 * dashboard on the same etcd shows the same thing.
 */
export function createDrainService(options: DrainServiceOptions) {
  const { client, store, controlPrefix } = options;
  const now = options.now ?? (() => new Date());
  const settleMs = options.settleMs ?? 3_000;
  const lineageOf = (clusterId: string): string => options.lineage?.() || clusterId;

  const find = (service: string, id: string): Instance[] =>
    [...store.instances()].filter((instance) => instance.service === service && instance.id === id);

  /** Passing instances of a service still in rotation, other than the ones about to be drained. */
  const passingLeft = (service: string, leaving: Set<string>): number =>
    [...store.instances()].filter((i) => i.service === service && i.drain === null && i.status === 'passing' && !leaving.has(i.key)).length;

  const settled = async (service: string, id: string, check: (instance: Instance) => boolean): Promise<Instance | undefined> => {
    const deadline = Date.now() + settleMs;
    for (;;) {
      const instance = find(service, id)[0];
      if (!instance || check(instance) || Date.now() >= deadline) return instance;
      await sleep(25);
    }
  };

  const write = async (service: string, id: string, request: DrainRequest, by: string, bulk?: string): Promise<DrainOutcome> => {
    const key = drainEtcdKey(controlPrefix, service, id);
    const at = now();
    const drain: Drain = {
      by,
      reason: request.reason,
      at: at.toISOString(),
      ...(request.ttlSeconds ? { until: new Date(at.getTime() + request.ttlSeconds * 1_000).toISOString() } : {}),
    };
    // A timed drain hangs on a lease nobody keeps alive, so it lifts itself even with no dashboard running.
    const lease = request.ttlSeconds ? client.lease(request.ttlSeconds, { autoKeepAlive: false }) : undefined;
    const put = client.put(key).value(JSON.stringify(drain));
    if (lease) put.lease(await lease.grant());
    const result = await client.if(key, 'Create', '==', 0).then(put).else(client.get(key)).commit();
    if (!result.succeeded) {
      await lease?.revoke().catch(() => undefined);
      const existing = result.responses[0]?.response_range.kvs[0];
      return { ok: false, status: 409, code: 'already_drained', message: `${service}/${id} is already drained`, current: existing ? parseDrainValue(existing.value) : null };
    }
    options.record({
      at: drain.at,
      kind: 'instance.drained',
      service,
      instance: id,
      actor: by,
      detail: `${request.reason}${request.ttlSeconds ? ` (for ${describeTtl(request.ttlSeconds)})` : ' (until lifted)'}${request.force ? ' [guard overridden]' : ''}${bulk ? ` — ${bulk}` : ''}`,
      ...(drain.until ? { until: drain.until } : {}),
      naturalKey: `drain:${lineageOf(result.header.cluster_id)}:${result.header.revision}:${key}:instance.drained`,
    });
    const instance = await settled(service, id, (i) => i.drain?.at === drain.at);
    return instance ? { ok: true, instance } : { ok: false, status: 404, code: 'not_found', message: `${service}/${id} deregistered meanwhile`, field: 'id' };
  };

  return {
    async drain(service: string, id: string, request: DrainRequest, by: string): Promise<DrainOutcome> {
      const targets = find(service, id);
      if (targets.length === 0) return { ok: false, status: 404, code: 'not_found', message: `no instance ${JSON.stringify(id)} in service ${JSON.stringify(service)}`, field: 'id' };
      const target = targets[0] as Instance;
      if (target.drain) return { ok: false, status: 409, code: 'already_drained', message: `${service}/${id} is already drained`, current: target.drain };
      if (!request.force && target.status === 'passing' && passingLeft(service, new Set(targets.map((t) => t.key))) === 0) {
        return { ok: false, status: 409, code: 'last_passing_instance', message: `${service}/${id} is the last passing instance of ${service}; draining it leaves nothing healthy in rotation (send "force": true to do it anyway)`, field: 'force' };
      }
      return write(service, id, request, by);
    },

    async undrain(service: string, id: string, by: string): Promise<DrainOutcome> {
      if (find(service, id).length === 0) return { ok: false, status: 404, code: 'not_found', message: `no instance ${JSON.stringify(id)} in service ${JSON.stringify(service)}`, field: 'id' };
      const key = drainEtcdKey(controlPrefix, service, id);
      const current = (await client.get(key).exec()).kvs[0];
      if (!current) return { ok: false, status: 409, code: 'not_drained', message: `${service}/${id} is not drained`, current: null };
      const result = await client.if(key, 'Mod', '==', current.mod_revision).then(client.delete().key(key)).commit();
      if (!result.succeeded) return { ok: false, status: 409, code: 'conflict', message: `the drain of ${service}/${id} changed meanwhile; reload and try again` };
      const lifted = parseDrainValue(current.value);
      options.record({
        at: now().toISOString(),
        kind: 'instance.undrained',
        service,
        instance: id,
        actor: by,
        detail: lifted ? `drain lifted (was: ${lifted.reason}, by ${lifted.by})` : 'drain lifted',
        naturalKey: `drain:${lineageOf(result.header.cluster_id)}:${current.create_revision}:${key}:instance.undrained`,
      });
      const instance = await settled(service, id, (i) => i.drain === null);
      return instance ? { ok: true, instance } : { ok: false, status: 404, code: 'not_found', message: `${service}/${id} deregistered meanwhile`, field: 'id' };
    },

    /** Drains every matching instance as one action, with the same guard applied to the whole set. */
    async drainMatching(service: string, match: (instance: Instance) => boolean, request: DrainRequest, by: string, description: string): Promise<{ ok: true; instances: Instance[]; skipped: string[] } | Extract<DrainOutcome, { ok: false }>> {
      const all = [...store.instances()].filter((i) => i.service === service);
      if (all.length === 0) return { ok: false, status: 404, code: 'not_found', message: `no service ${JSON.stringify(service)} is registered`, field: 'service' };
      const targets = all.filter((i) => match(i) && i.drain === null);
      if (targets.length === 0) return { ok: false, status: 404, code: 'no_match', message: `no undrained instance of ${service} matches ${description}`, field: 'zone' };
      const leaving = new Set(targets.map((t) => t.key));
      if (!request.force && targets.some((t) => t.status === 'passing') && passingLeft(service, leaving) === 0) {
        return { ok: false, status: 409, code: 'last_passing_instance', message: `draining ${description} leaves no passing instance of ${service} in rotation (send "force": true to do it anyway)`, field: 'force' };
      }
      const instances: Instance[] = [];
      const skipped: string[] = [];
      const bulk = `bulk drain of ${targets.length} instance${targets.length === 1 ? '' : 's'} (${description})`;
      for (const target of targets) {
        const outcome = await write(service, target.id, request, by, bulk);
        if (outcome.ok) instances.push(outcome.instance);
        else skipped.push(`${target.id}: ${outcome.message}`);
      }
      return { ok: true, instances, skipped };
    },
  };
}

export type DrainService = ReturnType<typeof createDrainService>;
