import { DEFAULT_THRESHOLDS, initialHealth, nextHealth, type HealthState, type HealthThresholds, type ProbeResult } from '@/lib/model/health-state';
import type { Status } from '@/lib/model/instance';
import { RESPONSE_BEGAN, type NewHistoryEvent } from '@/lib/model/events';
import type { HealthFacts } from './store/instance-table';
import type { HealthTarget } from './store/store';

export interface HealthChange {
  key: string;
  service: string;
  instance: string;
  from: Status;
  to: Status;
  cause: string;
  at: string;
  /** First bytes of the failing response, when there was one. */
  detail?: string;
  /** On a change to critical that failed probes decided: when the first failed probe of that streak ran. */
  firstFailedAt?: string;
}

export interface HealthTrackerOptions {
  /** Where an instance is looked up (the publisher writes). */
  store: Pick<HealthTarget, 'instance'>;
  thresholdsFor?: (service: string) => HealthThresholds;
  /**
   * Where each due update goes: the status publisher, which combines it with traffic and writes the
   * store; `change` is set when the probe status changed.
   */
  publish: (key: string, facts: HealthFacts, change: HealthChange | undefined) => void;
  /** A probe that changes nothing but its own timing reaches browsers at most this often per instance. */
  probeRefreshMs?: number;
  now?: () => number;
}

/** How often at most a probe that changes nothing but its time reaches browsers, per instance (stand-ins out of discovery too: lost/tracker.ts). */
export const PROBE_REFRESH_MS = 30_000;

/** Probe results turned into instance status (createHealthTracker). */
export interface HealthTracker {
  /** One probe result of the instance under `key`: publishes its status when due; an instance no longer in the store is forgotten. */
  record(key: string, result: ProbeResult): void;
  /** Forgets what the probes said of the instance under `key` (it left the registry). */
  forget(key: string): void;
}

/**
 * Turns probe results into instance status. Status changes go to the publisher (and so to every
 * browser) at once; a probe that changes nothing but latency refreshes `lastProbe` only every
 * `probeRefreshMs`, so 5,000 instances probed every 5 s do not become 1,000 live updates a second.
 */
export function createHealthTracker(options: HealthTrackerOptions): HealthTracker {
  const { store } = options;
  const thresholdsFor = options.thresholdsFor ?? (() => DEFAULT_THRESHOLDS);
  const refreshMs = options.probeRefreshMs ?? PROBE_REFRESH_MS;
  const now = options.now ?? Date.now;
  const states = new Map<string, { health: HealthState; publishedAt: number; publishedOk: boolean | undefined }>();

  return {
    record(key: string, result: ProbeResult): void {
      const instance = store.instance(key);
      if (!instance) {
        states.delete(key);
        return;
      }
      const tracked = states.get(key) ?? { health: initialHealth(result.at), publishedAt: now(), publishedOk: undefined };
      const health = nextHealth(tracked.health, result, thresholdsFor(instance.service));
      const changed = health.status !== tracked.health.status;
      // A first OK probe that changes no status is not news: publishing it would flood browsers at
      // start. A failed one is (a new instance crashing must not say "not probed yet" until critical).
      const published = tracked.publishedOk !== undefined;
      const news = published ? tracked.publishedOk !== result.ok : !result.ok;
      const due = changed || news || (published && health.cause !== tracked.health.cause) || now() - tracked.publishedAt >= refreshMs;
      states.set(key, due ? { health, publishedAt: now(), publishedOk: result.ok } : { ...tracked, health });
      const facts: HealthFacts = {
        status: health.status,
        statusCause: health.cause,
        statusSince: health.since,
        ...(health.lastProbe ? { lastProbe: health.lastProbe } : {}),
      };
      const change: HealthChange | undefined = changed
        ? {
            key,
            service: instance.service,
            instance: instance.id,
            from: tracked.health.status,
            to: health.status,
            cause: health.cause,
            at: result.at,
            ...(result.detail ? { detail: result.detail } : {}),
            ...(health.status === 'critical' && health.failStreakFrom !== undefined ? { firstFailedAt: health.failStreakFrom } : {}),
          }
        : undefined;
      if (due) options.publish(key, facts, change);
    },
    forget(key: string): void {
      states.delete(key);
    },
  };
}

/** The history row of a status change: the cause, and the failing response's first bytes when there was one. */
export function healthChangedEvent(change: HealthChange): NewHistoryEvent {
  return {
    at: change.at,
    kind: 'health.changed',
    service: change.service,
    instance: change.instance,
    from: change.from,
    to: change.to,
    detail: change.detail ? `${change.cause}${RESPONSE_BEGAN}${change.detail}` : change.cause,
    ...(change.firstFailedAt !== undefined ? { firstFailedAt: change.firstFailedAt } : {}),
  };
}
