import { describe, expect, it } from 'vitest';
import type { Change } from '@/lib/model/live';
import type { Registration } from '@/lib/model/registration';
import { createInstanceTable, instanceKeyFor, STAND_IN_KEY_PREFIX, type DecodedKey } from './instance-table';

const registration = (service: string, id: string, address = '127.0.0.1:1'): Registration => ({
  service, id, address, format: 'native', metadata: {},
});
const key = (service: string, id: string, lease?: string): DecodedKey => ({
  etcdKey: `/services/${service}/${id}`, lease, registrations: [registration(service, id)],
});
const node = (id: string, port: number): Registration => ({ ...registration('users', id, `10.0.0.1:${port}`), format: 'go-micro' });

const tableWithChanges = () => {
  const changes: Change[] = [];
  return { table: createInstanceTable((change) => changes.push(change)), changes };
};

describe('instance keys', () => {
  it('are the etcd key for a registration named after its key, the key plus its own id otherwise — never a position', () => {
    expect(instanceKeyFor('/services/users/a', 'a')).toBe('/services/users/a');
    expect(instanceKeyFor('/micro/registry/users/n1', 'n2')).toBe('/micro/registry/users/n1#n2');
    expect(instanceKeyFor('/x/a#b', 'b')).toBe('/x/a#b#b');
  });

  it('never collide, whatever `#` and `%` the keys and ids hold', () => {
    const pairs: [string, string][] = [['/a#b%23x', 'b%23x'], ['/a', 'b#x'], ['/a#b', 'x'], ['/a', 'b%23x'], ['/a', 'a'], ['/a', 'b'], ['/a#b', 'a#b']];
    const keys = pairs.map(([etcdKey, id]) => instanceKeyFor(etcdKey, id));
    expect(new Set(keys).size).toBe(pairs.length);
  });
});

describe('instance table', () => {
  it('keeps each node of a multi-node key its own status when the nodes are reordered or dropped', () => {
    const { table } = tableWithChanges();
    const etcdKey = '/micro/registry/users/n1';
    table.upsertKey({ etcdKey, lease: undefined, registrations: [node('n1', 1), node('n2', 2), node('n3', 3)] });
    const keyOf = (id: string): string => [...table.instances()].find((instance) => instance.id === id)?.key ?? '';
    const [n1, n2, n3] = [keyOf('n1'), keyOf('n2'), keyOf('n3')];
    table.setHealth(n2, { status: 'critical', statusCause: 'HTTP 503' });
    table.setHealth(n3, { status: 'passing', statusCause: 'HTTP 200' });

    table.upsertKey({ etcdKey, lease: undefined, registrations: [node('n3', 3), node('n2', 2), node('n1', 1)] });
    expect([keyOf('n1'), keyOf('n2'), keyOf('n3')]).toEqual([n1, n2, n3]);
    expect(table.instance(n2)).toMatchObject({ id: 'n2', status: 'critical', statusCause: 'HTTP 503' });
    expect(table.instance(n3)).toMatchObject({ id: 'n3', status: 'passing' });
    expect(table.instance(n1)).toMatchObject({ id: 'n1', status: 'unknown' });

    table.upsertKey({ etcdKey, lease: undefined, registrations: [node('n2', 2)] });
    expect([...table.instances()].map((instance) => instance.key)).toEqual([n2]);
    expect(table.instance(n2)).toMatchObject({ id: 'n2', status: 'critical', statusCause: 'HTTP 503' });
  });

  it('carries every field a registration has onto its instance (Required<> makes a new field fail to compile here)', () => {
    const full: Required<Registration> = {
      service: 'users', id: 'a', address: '127.0.0.1:1', format: 'rpcx', version: 'v2', zone: 'eu-1', weight: 7,
      metadata: { team: 'core' }, health: { http: '/healthz' }, dependsOn: ['db'], offline: true, unleased: true,
      lost: { at: '2026-12-03T10:00:00.000Z', cause: 'lease expired after probes failed', passingBefore: 2 },
    };
    const { table } = tableWithChanges();
    table.upsertKey({ etcdKey: '/services/users/a', lease: undefined, registrations: [full] });
    expect(table.instance('/services/users/a')).toMatchObject(full);
  });

  it('reports nothing for a put that changes nothing, and one change per instance that does', () => {
    const { table, changes } = tableWithChanges();
    table.upsertKey(key('users', 'a'));
    table.upsertKey(key('users', 'a'));
    table.setHealth('/services/users/a', { status: 'unknown', statusCause: 'x' });
    table.setHealth('/services/users/a', { status: 'unknown', statusCause: 'x' });
    expect(changes.map((change) => change.op)).toEqual(['upsert', 'upsert']);
  });

  it('relist removes what vanished during a gap and keeps what stayed, reporting only differences', () => {
    const { table, changes } = tableWithChanges();
    table.replaceAll([key('users', 'a'), key('users', 'b'), key('orders', 'x')], new Map());
    changes.length = 0;
    table.replaceAll([key('users', 'a'), key('payments', 'p')], new Map([['users\u0000a', { by: 'bob', reason: 'r', at: 't' }]]));
    expect(changes.filter((c) => c.op === 'remove').map((c) => (c.op === 'remove' ? c.key : '')).sort()).toEqual(['/services/orders/x', '/services/users/b']);
    expect(changes.filter((c) => c.op === 'upsert').map((c) => (c.op === 'upsert' ? `${c.instance.key} ${c.instance.drain?.by ?? '-'}` : '')).sort()).toEqual([
      '/services/payments/p -',
      '/services/users/a bob',
    ]);
  });

  it('attaches drains and lease TTLs to the instances they name, and forgets drain states with the drain', () => {
    const { table } = tableWithChanges();
    table.upsertKey(key('users', 'a', '77'));
    table.upsertKey(key('users', 'b', '78'));
    table.setDrain('users', 'a', { by: 'alice', reason: 'deploy', at: '2026-01-01T00:00:00Z' });
    table.setLeaseTtl('77', 10);
    table.setDrainState('/services/users/b', 'drained');
    table.setDrainState('/services/users/a', 'drained');
    expect(table.instance('/services/users/a')).toMatchObject({ drain: { by: 'alice' }, drainState: 'drained', leaseTtl: 10 });
    expect(table.instance('/services/users/b')?.drainState).toBeUndefined();
    expect(table.instance('/services/users/b')?.leaseTtl).toBeUndefined();
    table.setDrain('users', 'a', null);
    expect(table.instance('/services/users/a')?.drain).toBeNull();
    expect(table.instance('/services/users/a')?.drainState).toBeUndefined();
  });

  it('lists exactly the drained instances as drains come and go, across re-registration, removal and a relist', () => {
    const { table } = tableWithChanges();
    const drained = (): string[] => [...table.drainedInstances()].map((instance) => instance.key).sort();
    const drain = { by: 'alice', reason: 'deploy', at: '2026-01-01T00:00:00Z' };
    table.upsertKey(key('users', 'a'));
    table.upsertKey(key('users', 'b'));
    expect(drained()).toEqual([]);
    table.setDrain('users', 'a', drain);
    // A drain named before its instance registers (a drain outlives a restart) applies when it does.
    table.setDrain('orders', 'x', drain);
    table.upsertKey(key('orders', 'x'));
    expect(drained()).toEqual(['/services/orders/x', '/services/users/a']);
    table.upsertKey({ ...key('users', 'a'), lease: '9' });
    expect(drained()).toEqual(['/services/orders/x', '/services/users/a']);
    table.removeKey('/services/orders/x');
    table.setDrain('users', 'a', null);
    expect(drained()).toEqual([]);
    table.replaceAll([key('users', 'a'), key('users', 'b')], new Map([['users\u0000b', drain]]));
    expect(drained()).toEqual(['/services/users/b']);
  });

  it('follows a key from one lease to another, updating only the keys on the lease whose TTL arrives', () => {
    const { table, changes } = tableWithChanges();
    table.upsertKey(key('users', 'a', '1'));
    table.upsertKey(key('users', 'b', '1'));
    table.upsertKey(key('users', 'c', '2'));
    table.upsertKey(key('users', 'a', '3'));
    changes.length = 0;
    table.setLeaseTtl('1', 30);
    expect(changes.map((c) => (c.op === 'upsert' ? c.instance.key : ''))).toEqual(['/services/users/b']);
    table.setLeaseTtl('3', 5);
    expect(table.instance('/services/users/a')?.leaseTtl).toBe(5);
    table.removeKey('/services/users/b');
    changes.length = 0;
    table.setLeaseTtl('1', 60);
    expect(changes).toHaveLength(0);
  });

  it('keeps health across a re-registration and forgets it with the instance', () => {
    const { table } = tableWithChanges();
    table.upsertKey(key('users', 'a'));
    expect(table.instance('/services/users/a')).toMatchObject({ status: 'unknown', statusCause: 'not probed yet' });
    table.setHealth('/services/users/a', { status: 'critical', statusCause: 'HTTP 503', statusSince: 't1' });
    table.upsertKey({ ...key('users', 'a'), registrations: [registration('users', 'a', '127.0.0.1:2')] });
    expect(table.instance('/services/users/a')).toMatchObject({ status: 'critical', statusCause: 'HTTP 503', address: '127.0.0.1:2' });
    table.removeKey('/services/users/a');
    table.upsertKey(key('users', 'a'));
    expect(table.instance('/services/users/a')?.status).toBe('unknown');
    table.setHealth('/services/users/gone', { status: 'passing' });
    expect(table.instance('/services/users/gone')).toBeUndefined();
    expect(table.etcdKeyCount()).toBe(1);
  });

  it('finds the instances of one etcd key from its index, never those of a key it is a prefix of', () => {
    const { table } = tableWithChanges();
    table.upsertKey({ etcdKey: '/x/b', lease: '1', registrations: [node('n1', 1), node('n2', 2)] });
    table.upsertKey({ etcdKey: '/x/b#c', lease: '2', registrations: [node('c', 3)] });
    expect(table.instancesOfKey('/x/b').map((i) => i.key)).toEqual(['/x/b#n1', '/x/b#n2']);
    expect(table.instancesOfKey('/x/b#c').map((i) => i.key)).toEqual(['/x/b#c#c']);
    expect(table.instancesOfKey('/x/gone')).toEqual([]);
    expect(table.leaseOfKey('/x/b#c')).toBe('2');
  });

  it('stores a lost instance\'s stand-in under exactly its key and counts it neither as an etcd key nor as an instance', () => {
    const { table } = tableWithChanges();
    table.upsertKey({ etcdKey: '/u/n1', lease: '1', registrations: [node('n1', 1)] });
    const standIn = `${STAND_IN_KEY_PREFIX}/u/n1#n2`;
    table.upsertKey({ etcdKey: standIn, lease: undefined, registrations: [node('n2', 2)] });
    expect(table.instance(standIn)?.id).toBe('n2');
    expect([...table.etcdKeys()]).toEqual(['/u/n1']);
    expect([table.etcdKeyCount(), table.instanceCount()]).toEqual([1, 1]);
    table.removeKey(standIn);
    expect([table.etcdKeyCount(), table.instanceCount()]).toEqual([1, 1]);
  });
});
