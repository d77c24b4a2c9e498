import type { NewHistoryEvent } from '@/lib/model/events';
import type { Drain } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';

interface Member {
  service: string;
  id: string;
}

interface KeyLife {
  createRevision: string;
  lease: string | undefined;
  members: Member[];
}

export type LeaseState = (lease: string) => Promise<'expired' | 'alive' | 'unknown'>;

/**
 * Tracks when each registration key appeared and went, for history. Natural keys are
 * cluster + create revision + key + instance + kind: the same registration seen again by a relist
 * or after a restart is the same event, and a re-registration (new create revision) is a new one.
 */
export function createLifecycle(emit: (event: NewHistoryEvent) => void, leaseState: LeaseState, now: () => Date = () => new Date()) {
  let known = new Map<string, KeyLife>();
  const drains = new Map<string, { createRevision: string; lease: string | undefined; service: string; id: string; drain: Drain | null }>();
  let clusterId = '';

  const event = (kind: 'instance.registered' | 'instance.deregistered', key: string, life: KeyLife, member: Member, detail: string): void => {
    emit({
      at: now().toISOString(),
      kind,
      service: member.service,
      instance: member.id,
      detail,
      naturalKey: `${clusterId}:${life.createRevision}:${key}:${member.id}:${kind}`,
    });
  };

  const membersOf = (registrations: Registration[]): Member[] => registrations.map(({ service, id }) => ({ service, id }));
  const sameMember = (a: Member) => (b: Member) => a.service === b.service && a.id === b.id;

  return {
    setCluster(id: string): void {
      clusterId = id;
    },
    put(key: string, createRevision: string, lease: string | undefined, registrations: Registration[] | null): void {
      const previous = known.get(key);
      if (!registrations) {
        if (!previous) return;
        known.delete(key);
        for (const member of previous.members) event('instance.deregistered', key, previous, member, 'registration value no longer readable');
        return;
      }
      const life: KeyLife = { createRevision, lease, members: membersOf(registrations) };
      known.set(key, life);
      const sameLife = previous?.createRevision === createRevision;
      for (const member of life.members) {
        if (!sameLife || !previous?.members.some(sameMember(member))) event('instance.registered', key, life, member, 'registered');
      }
      if (previous && sameLife) {
        for (const member of previous.members) if (!life.members.some(sameMember(member))) event('instance.deregistered', key, previous, member, 'node removed from the registration');
      }
    },
    delete(key: string): void {
      const previous = known.get(key);
      if (!previous) return;
      known.delete(key);
      const report = (detail: string): void => {
        for (const member of previous.members) event('instance.deregistered', key, previous, member, detail);
      };
      if (!previous.lease) return report('key deleted');
      // etcd deletes a leased key the moment its lease expires; asking about the lease tells the two apart.
      void leaseState(previous.lease).then(
        (state) => report(state === 'expired' ? `lease ${previous.lease} expired` : state === 'alive' ? 'key deleted (lease still alive)' : 'key deleted'),
        () => report('key deleted'),
      );
    },
    /**
     * A drain key appeared. The API records its own drains first, with the same natural key, so
     * this only speaks for drains written straight into etcd.
     */
    drainPut(key: string, createRevision: string, lease: string | undefined, target: Member, drain: Drain | null): void {
      const seen = drains.get(key);
      drains.set(key, { createRevision, lease, service: target.service, id: target.id, drain });
      if (seen?.createRevision === createRevision) return;
      emit({
        at: drain?.at ?? now().toISOString(),
        kind: 'instance.drained',
        service: target.service,
        instance: target.id,
        actor: drain?.by ?? 'unknown (written to etcd directly)',
        detail: drain?.reason ?? 'drain key with an unreadable value',
        ...(drain?.until ? { until: drain.until } : {}),
        naturalKey: `drain:${clusterId}:${createRevision}:${key}:instance.drained`,
      });
    },
    drainDelete(key: string): void {
      const seen = drains.get(key);
      if (!seen) return;
      drains.delete(key);
      const report = (actor: string): void =>
        emit({
          at: now().toISOString(),
          kind: 'instance.undrained',
          service: seen.service,
          instance: seen.id,
          actor,
          detail: seen.drain ? `drain lifted (was: ${seen.drain.reason}, by ${seen.drain.by})` : 'drain lifted',
          naturalKey: `drain:${clusterId}:${seen.createRevision}:${key}:instance.undrained`,
        });
      if (!seen.lease) return report('unknown (deleted in etcd directly)');
      void leaseState(seen.lease).then(
        (state) => report(state === 'expired' ? 'ttl-expiry' : 'unknown (deleted in etcd directly)'),
        () => report('unknown (deleted in etcd directly)'),
      );
    },
    /** After a relist: what appeared and vanished while nobody was watching. `initial` is the first listing of this run. */
    replace(listing: Map<string, { createRevision: string; lease: string | undefined; registrations: Registration[] }>, initial: boolean): { added: number; removed: number } {
      const next = new Map<string, KeyLife>();
      let added = 0;
      let removed = 0;
      for (const [key, entry] of listing) {
        const life: KeyLife = { createRevision: entry.createRevision, lease: entry.lease, members: membersOf(entry.registrations) };
        next.set(key, life);
        const previous = known.get(key);
        for (const member of life.members) {
          if (previous?.createRevision === entry.createRevision && previous.members.some(sameMember(member))) continue;
          added += 1;
          event('instance.registered', key, life, member, initial ? `present when Switchyard started (created at revision ${entry.createRevision})` : 'registered while Switchyard was not watching');
        }
      }
      for (const [key, previous] of known) {
        const current = next.get(key);
        for (const member of previous.members) {
          if (current?.createRevision === previous.createRevision && current.members.some(sameMember(member))) continue;
          removed += 1;
          event('instance.deregistered', key, previous, member, 'gone while Switchyard was not watching');
        }
      }
      known = next;
      return { added, removed };
    },
  };
}
