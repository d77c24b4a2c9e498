import { describe, expect, it } from 'vitest';
import type { Instance } from './instance';
import { listServices } from './state';

const instance = (service: string, id: string, patch: Partial<Instance> = {}): Instance => ({
  id, service, key: `/services/${service}/${id}`, address: '127.0.0.1:1', format: 'native', metadata: {}, status: 'unknown', drain: null, ...patch,
});
const group = (...instances: Instance[]) => new Map(instances.map((i) => [i.key, i]));

describe('listServices', () => {
  it('lists services in name order, instances in id order, each with its rolled-up status', () => {
    const services = new Map([
      ['users', group(instance('users', 'b', { status: 'passing' }), instance('users', 'a', { status: 'passing' }))],
      ['orders', group(instance('orders', 'x', { status: 'critical', statusCause: 'HTTP 503' }))],
    ]);
    const listed = listServices({ services });
    expect(listed.map((s) => [s.name, s.status, s.instances.map((i) => i.id)])).toEqual([
      ['orders', 'critical', ['x']],
      ['users', 'passing', ['a', 'b']],
    ]);
    expect(listed[0]?.cause).toContain('HTTP 503');
  });

  it('keeps a service named __proto__ as data', () => {
    const listed = listServices({ services: new Map([['__proto__', group(instance('__proto__', 'p'))]]) });
    expect(listed.map((s) => s.name)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });
});
