import { describe, expect, it } from 'vitest';
import type { Registration } from '@/lib/model/registration';
import { createEndpointTable } from './discovery';

const registration = (id: string, extra: Partial<Registration> = {}): Registration => ({
  service: 'users',
  id,
  address: `127.0.0.1:${1000 + Number(id.slice(-1))}`,
  format: 'go-zero',
  metadata: {},
  ...extra,
});

describe('createEndpointTable', () => {
  it('lists a service’s registered instances and forgets removed keys', () => {
    const table = createEndpointTable();
    table.put('users/1', [registration('u1')]);
    table.put('users/2', [registration('u2')]);
    table.put('orders/1', [registration('o1', { service: 'orders' })]);
    expect(table.endpoints('users', 0).map((e) => e.id)).toEqual(['u1', 'u2']);
    table.remove('users/1');
    expect(table.endpoints('users', 0)).toEqual([{ service: 'users', id: 'u2', address: '127.0.0.1:1002' }]);
  });

  it('skips drained instances until the drain is lifted or expires', () => {
    const table = createEndpointTable();
    table.put('users/1', [registration('u1')]);
    table.put('users/2', [registration('u2')]);
    table.drain('users', 'u1', undefined);
    table.drain('users', 'u2', 1_000);
    expect(table.endpoints('users', 500)).toEqual([]);
    expect(table.endpoints('users', 1_000).map((e) => e.id)).toEqual(['u2']);
    table.undrain('users', 'u1');
    expect(table.endpoints('users', 500).map((e) => e.id)).toEqual(['u1']);
  });

  it('honours a framework’s own offline marker', () => {
    const table = createEndpointTable();
    table.put('/rpcx/users/tcp@x', [registration('u1', { offline: true })]);
    expect(table.endpoints('users', 0)).toEqual([]);
  });
});
