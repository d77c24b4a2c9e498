import type { ProbeResult } from '@/lib/model/health-state';
import type { Instance } from '@/lib/model/instance';
import type { HealthTracker } from '../health';
import type { InstanceReader, LiveFeed } from '../store/store';
import { createProbePolicy, type EtcdMember } from './policy';
import { createProbeRunner } from './probe-runner';
import { createScheduler, type SchedulerStats } from './scheduler';
import { probeTargetFor } from './target';

export interface ProberOptions {
  store: InstanceReader & Pick<LiveFeed, 'subscribe'>;
  tracker: Pick<HealthTracker, 'record' | 'forget'>;
  /** Every result, after the tracker has seen it (probe latency series). */
  onResult?: (key: string, result: ProbeResult) => void;
  /**
   * Given, stand-ins of instances out of discovery (`lost.stillServing`) are probed too, at the same
   * interval and under the same concurrency, and each result comes here (lost/tracker.ts
   * `standInProbed`), not to the tracker nor `onResult`: whether it still serves is the loss's to say.
   */
  onStandInProbe?: (key: string, result: ProbeResult) => void;
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  allowCidrs?: readonly string[];
  denyCidrs: readonly string[];
  /** etcd's endpoints: never probed, whatever a registration says. */
  etcdEndpoints: readonly string[];
  /** etcd's member list: every member's client and peer URLs are never probed either. */
  etcdMembers?: () => Promise<readonly EtcdMember[]>;
  /** How often the member list is read again (default a minute). */
  memberRefreshMs?: number;
  /** Whether this replica probes `key` (replicas share the fleet); every key when unset. */
  owns?: (key: string) => boolean;
  /** In [0, 1): spreads first probes over the interval (tests may pin it). */
  random?: () => number;
}

export interface ProberStats extends SchedulerStats {
  /** Probes actually made: rounds of keys another replica owns, or of lost instances not out of discovery, are scheduled but not probed. */
  probed: number;
}

export interface Prober {
  /** Resolves etcd endpoint names for the deny list, then probes every instance and follows the store. */
  start(): Promise<void>;
  stats(): ProberStats;
  /** One probe of an instance that may no longer be in the store (a departed one: lost/tracker.ts), under the same policy. */
  probeOnce(instance: Instance): Promise<ProbeResult>;
  /** The dashboard listens here: never probed (every local address when bound to loopback or all interfaces). */
  denyListener(address: string, port: number): void;
  /** Stops probing; resolves once in-flight probes have ended (at most the timeout). */
  stop(): Promise<void>;
}

const ETCD_LOOKUP_LIMIT_MS = 2_000;
const MEMBER_REFRESH_MS = 60_000;

/**
 * The active prober: every instance in the store — drained and offline ones included, their
 * health still matters to whoever undrains them — is probed once per interval, and each result
 * goes to the health tracker. The target is read from the registration at each probe, so a
 * re-registration with a new address or health path takes effect on the next round.
 */
export function createProber(options: ProberOptions): Prober {
  const { store, tracker } = options;
  const policy = createProbePolicy({ allowCidrs: options.allowCidrs, denyCidrs: options.denyCidrs, etcdEndpoints: options.etcdEndpoints });
  const runner = createProbeRunner({ timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, policy });
  let stopped = false;
  let probed = 0;
  const scheduler = createScheduler({
    intervalMs: options.intervalMs,
    concurrency: options.concurrency,
    ...(options.random ? { random: options.random } : {}),
    async run(key) {
      const instance = store.instance(key);
      if (!instance) return;
      if (instance.lost) {
        // A lost instance's process is gone; its stand-in keeps the last result it had. One out of
        // discovery is said to serve, which holds only while it answers. Each replica holds its own
        // losses (and rules on them), so it probes its own stand-ins, whoever owns the key.
        if (!instance.lost.stillServing || !options.onStandInProbe) return;
        probed += 1;
        const result = await runner.probe(probeTargetFor(instance));
        if (!stopped) options.onStandInProbe(key, result);
        return;
      }
      if (options.owns && !options.owns(key)) return;
      probed += 1;
      const result = await runner.probe(probeTargetFor(instance));
      if (stopped) return;
      tracker.record(key, result);
      options.onResult?.(key, result);
    },
  });
  let unsubscribe: (() => void) | undefined;
  let memberRefresh: NodeJS.Timeout | undefined;
  /** A failed read keeps the previous list: etcd being unreachable is no reason to probe it. */
  const refreshMembers = async (): Promise<void> => {
    const members = await options.etcdMembers?.().catch(() => undefined);
    if (members && !stopped) await policy.setEtcdMembers(members);
  };

  return {
    async start() {
      if (unsubscribe) return;
      let timer: NodeJS.Timeout | undefined;
      // Bounded: a slow DNS or etcd delays the first probes, never the start; the deny list fills in when they answer.
      await Promise.race([Promise.all([policy.resolveEtcdHosts(), refreshMembers()]), new Promise<void>((resolve) => (timer = setTimeout(resolve, ETCD_LOOKUP_LIMIT_MS)))]);
      clearTimeout(timer);
      if (stopped) return;
      if (options.etcdMembers) {
        memberRefresh = setInterval(() => void refreshMembers(), options.memberRefreshMs ?? MEMBER_REFRESH_MS);
        memberRefresh.unref();
      }
      for (const instance of store.instances()) scheduler.add(instance.key);
      unsubscribe = store.subscribe((delta) => {
        for (const change of delta.changes) {
          if (change.op === 'upsert') scheduler.add(change.instance.key);
          else {
            scheduler.remove(change.key);
            tracker.forget(change.key);
          }
        }
      });
    },
    stats: () => ({ ...scheduler.stats(), probed }),
    probeOnce: (instance) => runner.probe(probeTargetFor(instance)),
    denyListener: (address, port) => policy.denyListener(address, port),
    async stop() {
      stopped = true;
      clearInterval(memberRefresh);
      unsubscribe?.();
      const settled = scheduler.stop();
      // Destroying pooled sockets ends in-flight HTTP probes now instead of at their deadline.
      runner.close();
      await settled;
    },
  };
}
