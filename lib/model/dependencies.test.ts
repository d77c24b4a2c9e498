import { describe, expect, it } from 'vitest';
import type { Instance, Service } from './instance';
import { declaredDependencies } from './dependencies';

const instance = (service: string, dependsOn?: string[]): Instance => ({
  id: `${service}-1`, service, key: `/services/${service}/1`, address: '127.0.0.1:1', format: 'native',
  metadata: {}, status: 'unknown', drain: null, ...(dependsOn ? { dependsOn } : {}),
});
const service = (name: string, ...deps: (string[] | undefined)[]): Service => ({
  name, status: 'unknown', instances: deps.map((d) => instance(name, d)),
});

describe('declaredDependencies', () => {
  const fleet = [service('gateway', ['users', 'orders'], ['users']), service('orders', ['users', 'postgres']), service('users')];
  it('unions what a service\'s instances declare', () => {
    expect(declaredDependencies(fleet, 'gateway').dependencies).toEqual(['orders', 'users']);
  });
  it('lists who declares calling a service', () => {
    expect(declaredDependencies(fleet, 'users').dependents).toEqual(['gateway', 'orders']);
  });
  it('is empty for a service nobody mentions', () => {
    expect(declaredDependencies(fleet, 'missing')).toEqual({ dependencies: [], dependents: [] });
  });
});
