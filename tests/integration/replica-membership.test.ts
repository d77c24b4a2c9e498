import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { startProxy, type CuttableProxy } from '../support/proxy';
import { startReplicaMember, type MemberReport, type ReplicaMemberProcess } from '../support/replica-member';
import { eventually } from '../support/server';

/**
 * Replicas find each other, share probe keys and elect one leader through etcd alone
 * (lib/server/cluster/membership.ts), each in its own process as in production.
 */
const TTL_SECONDS = 2;
const KEY_COUNT = 300;

let etcd: TestEtcd;
let started: ReplicaMemberProcess[] = [];
let proxies: CuttableProxy[] = [];
let prefixCount = 0;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterEach(async () => {
  await Promise.all(started.map((replica) => replica.kill()));
  await Promise.all(proxies.map((proxy) => proxy.close()));
  started = [];
  proxies = [];
});
afterAll(async () => {
  await etcd?.stop();
});

/** Each test has its own control prefix, so no test sees another's replicas. */
async function startReplicas(ids: string[], endpoint?: (id: string) => string, ttlSeconds = TTL_SECONDS): Promise<{ replicas: ReplicaMemberProcess[]; controlPrefix: string }> {
  prefixCount += 1;
  const controlPrefix = `/switchyard-${prefixCount}/`;
  const replicas: ReplicaMemberProcess[] = [];
  // One after the other: the first to join is the oldest key, so the leader is known in advance.
  for (const id of ids) {
    const replica = await startReplicaMember({ etcdEndpoint: endpoint?.(id) ?? etcd.endpoint, controlPrefix, id, ttlSeconds, keyCount: KEY_COUNT });
    started.push(replica);
    replicas.push(replica);
  }
  return { replicas, controlPrefix };
}

/** Every replica's latest report lists exactly `ids`. */
const agreeOn = (replicas: ReplicaMemberProcess[], ids: string[]): MemberReport[] | undefined => {
  const latest = replicas.map((replica) => replica.latest());
  const want = [...ids].sort().join();
  return latest.every((report) => report && [...report.members].sort().join() === want) ? (latest as MemberReport[]) : undefined;
};

/** The owned key indices of every report, checked to cover all keys exactly once. */
function expectPartition(reports: MemberReport[]): void {
  const owners = new Map<number, number>();
  for (const report of reports) for (const key of report.owned) owners.set(key, (owners.get(key) ?? 0) + 1);
  expect(owners.size).toBe(KEY_COUNT);
  expect([...owners.values()].every((count) => count === 1)).toBe(true);
}

/**
 * The most replicas that claimed to lead at the same moment, replaying every report in the order
 * of the children's clocks (one machine, one clock).
 */
function mostLeadersAtOnce(replicas: ReplicaMemberProcess[]): number {
  const events = replicas.flatMap((replica) => replica.reports().map((report) => ({ id: replica.id, ...report }))).sort((a, b) => a.at - b.at);
  const leading = new Set<string>();
  let most = 0;
  for (const event of events) {
    if (event.leader) leading.add(event.id);
    else leading.delete(event.id);
    most = Math.max(most, leading.size);
  }
  return most;
}

describe('replica membership through etcd', () => {
  it('three replicas see each other, split the probe keys between them and agree on one leader, the oldest', async () => {
    const { replicas } = await startReplicas(['r1', 'r2', 'r3']);
    const reports = await eventually(() => agreeOn(replicas, ['r1', 'r2', 'r3']), 10_000, 'three members everywhere');
    expectPartition(reports);
    for (const report of reports) expect(report.owned.length).toBeGreaterThan(KEY_COUNT / 6);
    expect(reports.map((report) => report.leader)).toEqual([true, false, false]);
    expect((await etcd.etcdctlKeys(`/switchyard-${prefixCount}/replicas/`)).length).toBe(3);
  });

  it('a killed leader’s keys and leadership pass to the survivors within its lease TTL, and only its keys move', async () => {
    const { replicas } = await startReplicas(['r1', 'r2', 'r3']);
    const [leader, second, third] = replicas as [ReplicaMemberProcess, ReplicaMemberProcess, ReplicaMemberProcess];
    const before = await eventually(() => agreeOn(replicas, ['r1', 'r2', 'r3']), 10_000, 'three members everywhere');
    const killedAt = Date.now();
    await leader.kill();
    const after = await eventually(() => agreeOn([second, third], ['r2', 'r3']), TTL_SECONDS * 1_000 + 5_000, 'the killed replica gone');
    // Gone by lease expiry: not before etcd could have expired it (it was not revoked).
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(TTL_SECONDS * 1_000 - 1_000);
    expectPartition(after);
    expect(after.map((report) => report.leader)).toEqual([true, false]);
    for (const [index, report] of after.entries()) {
      const kept = before[index + 1]?.owned ?? [];
      expect(report.owned).toEqual(expect.arrayContaining(kept));
    }
  });

  it('a replica stopped gracefully leaves at once (its lease is revoked), well before its TTL', async () => {
    // A TTL far past the wait below: gone within it, the replica left by revoking its lease, not by expiry.
    const { replicas } = await startReplicas(['r1', 'r2'], undefined, 60);
    await eventually(() => agreeOn(replicas, ['r1', 'r2']), 10_000, 'two members everywhere');
    const [, second] = replicas as [ReplicaMemberProcess, ReplicaMemberProcess];
    await second.stop();
    await eventually(() => agreeOn([replicas[0] as ReplicaMemberProcess], ['r1']), 20_000, 'the stopped replica gone');
  });

  it('a leader cut off from etcd stops leading before the next one starts, then rejoins as a follower', async () => {
    const proxy = await startProxy(etcd.endpoint);
    proxies.push(proxy);
    const { replicas } = await startReplicas(['r1', 'r2'], (id) => (id === 'r1' ? proxy.endpoint : etcd.endpoint));
    const [leader, follower] = replicas as [ReplicaMemberProcess, ReplicaMemberProcess];
    await eventually(() => agreeOn(replicas, ['r1', 'r2']), 10_000, 'two members everywhere');
    expect(leader.latest()?.leader).toBe(true);
    proxy.cut();
    await eventually(() => follower.reports().find((report) => report.leader), 15_000, 'the follower taking over');
    proxy.restore();
    const rejoined = await eventually(() => agreeOn(replicas, ['r1', 'r2']), 20_000, 'the cut-off replica back');
    expect(rejoined.map((report) => report.leader)).toEqual([false, true]);
    expect(mostLeadersAtOnce([leader, follower])).toBe(1);
  });
});
