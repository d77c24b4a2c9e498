import { GONE_UNWATCHED, PRESENT_AT_START, type NewHistoryEvent } from '@/lib/model/events';
import { drainDetail } from '@/lib/model/drain';
import type { Drain } from '@/lib/model/instance';
import type { Registration } from '@/lib/model/registration';
import type { LeaseEnd } from './lease-end';

interface Member {
  service: string;
  id: string;
}

interface KeyLife {
  /** `lineage:createRevision`: which registration this is, across restores and replaced clusters. */
  origin: string;
  lease: string | undefined;
  members: Member[];
}

/** What became of `lease` when a key holding it was deleted at `revision` (lease-end.ts). */
interface KnownDrain {
  origin: string;
  lease: string | undefined;
  service: string;
  id: string;
  drain: Drain | null;
}

export type LeaseVerdict = (lease: string, revision: string) => Promise<LeaseEnd>;

/** A registration the history database holds as still open (registered, never deregistered). */
export interface OpenRegistration {
  naturalKey: string;
  service: string;
  instance: string;
}

const REGISTERED = 'instance.registered';

/** Splits `lineage:createRevision:key:instance:instance.registered` back into origin and key. */
export function parseRegistrationKey(naturalKey: string, instance: string): { origin: string; key: string } | null {
  const suffix = `:${instance}:${REGISTERED}`;
  if (!naturalKey.endsWith(suffix)) return null;
  const match = /^([^:]+:\d+):(.*)$/s.exec(naturalKey.slice(0, -suffix.length));
  return match ? { origin: match[1] as string, key: match[2] as string } : null;
}

/** Splits `drain:lineage:createRevision:key:instance.drained` back into origin and key. */
export function parseDrainedKey(naturalKey: string): { origin: string; key: string } | null {
  const match = /^drain:([^:]+:\d+):(.*):instance\.drained$/s.exec(naturalKey);
  return match ? { origin: match[1] as string, key: match[2] as string } : null;
}

const causeOf = (lease: string, verdict: LeaseEnd): string => {
  switch (verdict) {
    case 'alive':
      return `key deleted (lease ${lease} still alive)`;
    case 'revoked':
      return `lease ${lease} revoked`;
    case 'ended':
      return `lease ${lease} ended (revoked or expired)`;
    case 'unknown':
      return `key deleted or lease ${lease} ended (etcd did not answer which)`;
  }
};

/**
 * Tracks when each registration key appeared and went, for history. Natural keys are
 * lineage + create revision + key + instance + kind: the same registration seen again by a relist
 * or after a restart is the same event, a re-registration (new create revision) is a new one, and
 * the same create revision in another lineage (a restored or replaced etcd) is another registration.
 */
export function createLifecycle(emit: (event: NewHistoryEvent) => void, leaseVerdict: LeaseVerdict, now: () => Date = () => new Date()) {
  let known = new Map<string, KeyLife>();
  const drains = new Map<string, KnownDrain>();
  let lineage = '';

  /** `at` is passed once for a whole relist: one listing is one moment, and a Date per instance costs. */
  const event = (kind: 'instance.registered' | 'instance.deregistered', key: string, life: KeyLife, member: Member, detail: string, at = now().toISOString()): void => {
    emit({
      at,
      kind,
      service: member.service,
      instance: member.id,
      detail,
      naturalKey: `${life.origin}:${key}:${member.id}:${kind}`,
    });
  };

  const undrained = (key: string, seen: KnownDrain, actor: string): void =>
    emit({
      at: now().toISOString(),
      kind: 'instance.undrained',
      service: seen.service,
      instance: seen.id,
      actor,
      detail: seen.drain ? `drain lifted (was: ${seen.drain.reason}, by ${seen.drain.by})` : 'drain lifted',
      naturalKey: `drain:${seen.origin}:${key}:instance.undrained`,
    });
  const LIFTED_UNSEEN = 'unknown (lifted while Switchyard was not watching)';

  const membersOf = (registrations: Registration[]): Member[] => registrations.map(({ service, id }) => ({ service, id }));
  const sameMember = (a: Member) => (b: Member) => a.service === b.service && a.id === b.id;
  const hasMember = (members: readonly Member[] | undefined, member: Member): boolean => {
    if (!members) return false;
    for (const other of members) if (other.service === member.service && other.id === member.id) return true;
    return false;
  };

  return {
    setLineage(id: string): void {
      lineage = id;
    },
    /**
     * Before the first listing: what the history database holds as open, so a key gone while
     * Switchyard was down gets its deregistration. Returns how many were taken up.
     */
    restore(open: OpenRegistration[], openDrains: OpenRegistration[] = []): number {
      let restored = 0;
      for (const row of openDrains) {
        const parsed = parseDrainedKey(row.naturalKey);
        if (!parsed) continue;
        const older = drains.get(parsed.key);
        if (older) undrained(parsed.key, older, LIFTED_UNSEEN);
        drains.set(parsed.key, { origin: parsed.origin, lease: undefined, service: row.service, id: row.instance, drain: null });
        restored += 1;
      }
      for (const row of open) {
        const parsed = parseRegistrationKey(row.naturalKey, row.instance);
        if (!parsed) continue;
        const member = { service: row.service, id: row.instance };
        const life = known.get(parsed.key);
        if (life?.origin === parsed.origin) life.members.push(member);
        else {
          // Rows come oldest first: a later registration of the same key supersedes an earlier one left open.
          if (life) for (const old of life.members) event('instance.deregistered', parsed.key, life, old, GONE_UNWATCHED);
          known.set(parsed.key, { origin: parsed.origin, lease: undefined, members: [member] });
        }
        restored += 1;
      }
      return restored;
    },
    put(key: string, createRevision: string, lease: string | undefined, registrations: Registration[] | null): void {
      const origin = `${lineage}:${createRevision}`;
      const previous = known.get(key);
      if (!registrations) {
        if (!previous) return;
        known.delete(key);
        for (const member of previous.members) event('instance.deregistered', key, previous, member, 'registration value no longer readable');
        return;
      }
      const life: KeyLife = { origin, lease, members: membersOf(registrations) };
      known.set(key, life);
      const sameLife = previous?.origin === origin;
      for (const member of life.members) {
        if (!sameLife || !previous?.members.some(sameMember(member))) event('instance.registered', key, life, member, 'registered');
      }
      if (previous && sameLife) {
        for (const member of previous.members) if (!life.members.some(sameMember(member))) event('instance.deregistered', key, previous, member, 'node removed from the registration');
      }
    },
    /** The key was deleted at `revision` (the delete's revision, shared by every key a lease takes with it). */
    delete(key: string, revision: string): void {
      const previous = known.get(key);
      if (!previous) return;
      known.delete(key);
      const report = (detail: string): void => {
        for (const member of previous.members) event('instance.deregistered', key, previous, member, detail);
      };
      const { lease } = previous;
      if (!lease) return report('key deleted');
      void leaseVerdict(lease, revision).then(
        (verdict) => report(causeOf(lease, verdict)),
        () => report(causeOf(lease, 'unknown')),
      );
    },
    /**
     * A drain key appeared. The API records its own drains first, with the same natural key, so
     * this only speaks for drains written straight into etcd.
     */
    drainPut(key: string, createRevision: string, lease: string | undefined, target: Member, drain: Drain | null): void {
      const seen = drains.get(key);
      const origin = `${lineage}:${createRevision}`;
      drains.set(key, { origin, lease, service: target.service, id: target.id, drain });
      if (seen?.origin === origin) return;
      // Re-drained while nobody watched: the earlier drain was lifted in between.
      if (seen) undrained(key, seen, LIFTED_UNSEEN);
      emit({
        at: drain?.at ?? now().toISOString(),
        kind: 'instance.drained',
        service: target.service,
        instance: target.id,
        actor: drain?.by ?? 'unknown (written to etcd directly)',
        detail: drain ? drainDetail(drain) : 'drain key with an unreadable value',
        ...(drain?.until ? { until: drain.until } : {}),
        naturalKey: `drain:${origin}:${key}:instance.drained`,
      });
    },
    drainDelete(key: string, revision: string): void {
      const seen = drains.get(key);
      if (!seen) return;
      drains.delete(key);
      const report = (actor: string): void => undrained(key, seen, actor);
      if (!seen.lease) return report('unknown (deleted in etcd directly)');
      void leaseVerdict(seen.lease, revision).then(
        (verdict) => report(verdict === 'ended' ? 'ttl-expiry' : verdict === 'revoked' ? 'unknown (drain lease revoked)' : 'unknown (deleted in etcd directly)'),
        () => report('unknown (deleted in etcd directly)'),
      );
    },
    /** After a relist has put every listed drain key: the drains it did not list were lifted while nobody watched. */
    drainsListed(listed: ReadonlySet<string>): number {
      let lifted = 0;
      for (const [key, seen] of drains) {
        if (listed.has(key)) continue;
        drains.delete(key);
        undrained(key, seen, LIFTED_UNSEEN);
        lifted += 1;
      }
      return lifted;
    },
    /** After a relist: what appeared and vanished while nobody was watching. `initial` is the first listing of this run. */
    replace(listing: Map<string, { createRevision: string; lease: string | undefined; registrations: Registration[] }>, initial: boolean): { added: number; removed: number } {
      const next = new Map<string, KeyLife>();
      const at = now().toISOString();
      let added = 0;
      let removed = 0;
      for (const [key, entry] of listing) {
        // The listing's registrations serve as members (the store holds the same objects): no copy per instance.
        const life: KeyLife = { origin: `${lineage}:${entry.createRevision}`, lease: entry.lease, members: entry.registrations };
        next.set(key, life);
        const previous = known.get(key);
        const sameLife = previous?.origin === life.origin;
        for (const member of life.members) {
          if (sameLife && hasMember(previous?.members, member)) continue;
          added += 1;
          event('instance.registered', key, life, member, initial ? `${PRESENT_AT_START} (created at revision ${entry.createRevision})` : 'registered while Switchyard was not watching', at);
        }
      }
      for (const [key, previous] of known) {
        const current = next.get(key);
        const sameLife = current?.origin === previous.origin;
        for (const member of previous.members) {
          if (sameLife && hasMember(current?.members, member)) continue;
          removed += 1;
          event('instance.deregistered', key, previous, member, GONE_UNWATCHED, at);
        }
      }
      known = next;
      return { added, removed };
    },
  };
}
