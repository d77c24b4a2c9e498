import type { Etcd3 } from 'etcd3';
import { drainDetail, type DrainRequest } from '@/lib/model/drain';
import type { NewHistoryEvent } from '@/lib/model/events';
import type { Drain, Instance } from '@/lib/model/instance';
import { describeEtcdError, isEtcdFailure } from './etcd/errors';
import { drainEtcdKey, parseDrainValue } from './registry/drain-keys';
import type { InstanceReader, StoreView } from './store/store';

export type DrainOutcome =
  | { ok: true; instance: Instance }
  | { ok: false; status: 404 | 409 | 503; code: string; message: string; field?: string; current?: Drain | null };

type Refusal = Extract<DrainOutcome, { ok: false }>;

export interface DrainServiceOptions {
  client: Etcd3;
  /** Instances to find and wait for, and whether etcd is reachable (writes are refused while it is not). */
  store: InstanceReader & Pick<StoreView, 'registryStatus'>;
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

/**
 * The one write path for drains (DESIGN §1): a transaction on the control prefix in etcd. The API
 * never changes the store itself; it waits until its write comes back through the watch, so every
 * dashboard on the same etcd shows the same thing.
 */
/** Drain and undrain: etcd transactions on the control prefix, answered once the watch shows the change. */
export interface DrainService {
  /** Drains one instance (`POST …/instances/{id}/drain`). */
  drain(service: string, id: string, request: DrainRequest, by: string): Promise<DrainOutcome>;
  /** Lifts one instance's drain (`DELETE …/instances/{id}/drain`). */
  undrain(service: string, id: string, by: string): Promise<DrainOutcome>;
  /** Drains every undrained instance of a service that `match`es, as one audited action (bulk drain). */
  drainMatching(service: string, match: (instance: Instance) => boolean, request: DrainRequest, by: string, description: string): Promise<{ ok: true; instances: Instance[]; skipped: string[] } | Refusal>;
}

export function createDrainService(options: DrainServiceOptions): DrainService {
  const { client, store, controlPrefix } = options;
  const now = options.now ?? (() => new Date());
  const settleMs = options.settleMs ?? 3_000;
  const lineageOf = (clusterId: string): string => options.lineage?.() || clusterId;

  /** Registered instances only: a lost instance's stand-in has nothing left to drain. */
  const find = (service: string, id: string): Instance[] =>
    [...store.instances()].filter((instance) => instance.service === service && instance.id === id && !instance.lost);

  /**
   * 404 naming the ids the service has: ids are the framework's (addresses for grpc-go and kitex,
   * lease ids for go-zero), so `payments-2` is often a guess at a name that is not there.
   */
  const notFound = (service: string, id: string): Refusal => {
    const ids = [...store.instances()].filter((instance) => instance.service === service && !instance.lost).map((instance) => instance.id);
    const shown = [...new Set(ids)].sort();
    const message =
      shown.length === 0
        ? `no service ${JSON.stringify(service)} is registered`
        : `no instance ${JSON.stringify(id)} in service ${JSON.stringify(service)}; its ${shown.length} registered: ${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ', …' : ''}`;
    return { ok: false, status: 404, code: 'not_found', message, field: 'id' };
  };

  /** Passing instances of a service still in rotation, other than the ones about to be drained. */
  const passingLeft = (service: string, leaving: Set<string>): number =>
    [...store.instances()].filter((i) => i.service === service && i.drain === null && i.status === 'passing' && !leaving.has(i.key)).length;

  /**
   * Drains live in etcd (DESIGN §1), so while the registry is not synced nothing can be changed,
   * and what the store shows may be stale: refuse before writing, saying why.
   */
  const registryRefusal = (): Refusal | undefined => {
    const registry = store.registryStatus();
    if (registry.state === 'synced') return undefined;
    const what =
      registry.state === 'unreachable'
        ? `etcd has been unreachable since ${registry.since}`
        : registry.phase === 'catching-up'
          ? `the registry is catching up with etcd after listing it (since ${registry.since})`
          : registry.phase === 'relisting'
            ? `the registry is relisting etcd after a failure of its own (since ${registry.since})`
            : `Switchyard is still connecting to etcd (since ${registry.since})`;
    // Catching up and relisting happen while etcd answers: the registry is synced again soon.
    const etcdAnswers = registry.state === 'connecting' && registry.phase !== undefined;
    return {
      ok: false,
      status: 503,
      code: 'registry_unavailable',
      message: `${what}${registry.message ? ` (${registry.message})` : ''}; drains are stored in etcd, so nothing was changed. Try again ${etcdAnswers ? 'once the registry is synced' : 'once etcd is back'}.`,
    };
  };

  /** etcd failing mid-request (the heartbeat has not noticed yet): a 503 that says the write may or may not have landed. */
  const guardEtcd = async (run: () => Promise<DrainOutcome>): Promise<DrainOutcome> => {
    try {
      return await run();
    } catch (error) {
      if (!isEtcdFailure(error)) throw error;
      return {
        ok: false,
        status: 503,
        code: 'registry_unavailable',
        message: `etcd did not complete the request: ${describeEtcdError(error)}. The change may not have been written; the live view shows whether it was.`,
      };
    }
  };

  const settled = async (service: string, id: string, check: (instance: Instance) => boolean): Promise<Instance | undefined> => {
    const deadline = Date.now() + settleMs;
    for (;;) {
      const instance = find(service, id)[0];
      if (!instance || check(instance) || Date.now() >= deadline) return instance;
      await sleep(25);
    }
  };

  const write = (service: string, id: string, request: DrainRequest, by: string, bulk?: string): Promise<DrainOutcome> => guardEtcd(() => writeDrain(service, id, request, by, bulk));

  const writeDrain = async (service: string, id: string, request: DrainRequest, by: string, bulk?: string): Promise<DrainOutcome> => {
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
      detail: `${drainDetail(drain)}${request.force ? ' [guard overridden]' : ''}${bulk ? ` — ${bulk}` : ''}`,
      ...(drain.until ? { until: drain.until } : {}),
      naturalKey: `drain:${lineageOf(result.header.cluster_id)}:${result.header.revision}:${key}:instance.drained`,
    });
    const instance = await settled(service, id, (i) => i.drain?.at === drain.at);
    return instance ? { ok: true, instance } : { ok: false, status: 404, code: 'not_found', message: `${service}/${id} deregistered meanwhile`, field: 'id' };
  };

  const liftDrain = async (service: string, id: string, by: string): Promise<DrainOutcome> => {
    if (find(service, id).length === 0) return notFound(service, id);
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
  };

  return {
    async drain(service: string, id: string, request: DrainRequest, by: string): Promise<DrainOutcome> {
      const unavailable = registryRefusal();
      if (unavailable) return unavailable;
      const targets = find(service, id);
      if (targets.length === 0) return notFound(service, id);
      const target = targets[0] as Instance;
      if (target.drain) return { ok: false, status: 409, code: 'already_drained', message: `${service}/${id} is already drained`, current: target.drain };
      if (!request.force && target.status === 'passing' && passingLeft(service, new Set(targets.map((t) => t.key))) === 0) {
        return { ok: false, status: 409, code: 'last_passing_instance', message: `${service}/${id} is the last passing instance of ${service}; draining it leaves nothing healthy in rotation (send "force": true to do it anyway)`, field: 'force' };
      }
      return write(service, id, request, by);
    },

    async undrain(service: string, id: string, by: string): Promise<DrainOutcome> {
      return registryRefusal() ?? guardEtcd(() => liftDrain(service, id, by));
    },

    /** Drains every matching instance as one action, with the same guard applied to the whole set. */
    async drainMatching(service: string, match: (instance: Instance) => boolean, request: DrainRequest, by: string, description: string): Promise<{ ok: true; instances: Instance[]; skipped: string[] } | Refusal> {
      const unavailable = registryRefusal();
      if (unavailable) return unavailable;
      const all = [...store.instances()].filter((i) => i.service === service && !i.lost);
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
      for (const [index, target] of targets.entries()) {
        const outcome = await write(service, target.id, request, by, bulk);
        if (outcome.ok) {
          instances.push(outcome.instance);
          continue;
        }
        // etcd went away mid-way: stop rather than wait out a deadline per instance; say what was left.
        if (outcome.status === 503) {
          if (instances.length === 0) return outcome;
          skipped.push(...targets.slice(index).map((t) => `${t.id}: ${outcome.message}`));
          break;
        }
        skipped.push(`${target.id}: ${outcome.message}`);
      }
      return { ok: true, instances, skipped };
    },
  };
}

