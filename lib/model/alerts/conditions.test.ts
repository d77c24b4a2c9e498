import { describe, expect, it } from 'vitest';
import type { Instance } from '../instance';
import { currentConditions, statusStillCallsFor } from './conditions';
import { DEFAULT_ALERT_RULES } from './rules';

describe('statusStillCallsFor', () => {
  it('says a ServiceCritical the last evaluation left no longer stands once the header counts its service warning or passing', () => {
    expect(statusStillCallsFor('ServiceCritical', { status: 'critical' })).toBe(true);
    // payments, its instances registered again and one passing: warning in the header, ServiceCritical pending until the next evaluation.
    expect(statusStillCallsFor('ServiceCritical', { status: 'warning' })).toBe(false);
    expect(statusStillCallsFor('ServiceCritical', { status: 'passing' })).toBe(false);
  });
  it('holds the traffic alerts to a warning service, InstancesLost to one not passing, DrainStuck to one still getting calls while drained', () => {
    expect(statusStillCallsFor('ServiceErrorRate', { status: 'warning' })).toBe(true);
    // orders turned critical: ServiceCritical takes over at the next evaluation.
    expect(statusStillCallsFor('ServiceErrorRate', { status: 'critical' })).toBe(false);
    expect(statusStillCallsFor('ServiceLatency', { status: 'passing' })).toBe(false);
    expect(statusStillCallsFor('InstancesLost', { status: 'warning' })).toBe(true);
    expect(statusStillCallsFor('InstancesLost', { status: 'passing' })).toBe(false);
    expect(statusStillCallsFor('DrainStuck', { status: 'passing', draining: 1 })).toBe(true);
    expect(statusStillCallsFor('DrainStuck', { status: 'passing' })).toBe(false);
  });
  it('says a service no longer listed calls for nothing, and leaves DependencyFailing (a dependency, maybe no service at all) and RegistryUnreachable undecided', () => {
    expect(statusStillCallsFor('ServiceCritical', undefined)).toBe(false);
    expect(statusStillCallsFor('DependencyFailing', undefined)).toBeUndefined();
    expect(statusStillCallsFor('DependencyFailing', { status: 'passing' })).toBeUndefined();
    expect(statusStillCallsFor('RegistryUnreachable', undefined)).toBeUndefined();
  });
});

describe('currentConditions', () => {
  // Math.max(...times) overflowed the stack from ~130,000 arguments, and ServiceCritical reads every failing instance's time.
  it('dates a ServiceCritical of 150,000 critical instances at the newest verdict among them', () => {
    const T0 = Date.parse('2026-12-07T03:00:00.000Z');
    const instances = Array.from({ length: 150_000 }, (_, index): Instance => ({
      id: `orders-${index}`,
      service: 'orders',
      key: `/services/orders/orders-${index}`,
      address: `10.0.${Math.floor(index / 250)}.${index % 250}:80`,
      format: 'native',
      metadata: {},
      status: 'critical',
      statusCause: 'connection refused',
      statusSince: new Date(T0 + (index % 1_000) * 1_000).toISOString(),
      drain: null,
    }));
    const conditions = currentConditions(
      { services: [{ name: 'orders', status: 'critical', cause: 'all failing', instances }], topology: { nodes: [], edges: [] }, origins: [], registry: { state: 'synced', since: new Date(T0).toISOString() } },
      DEFAULT_ALERT_RULES,
      T0 + 1_000_000,
    );
    expect(conditions.find((condition) => condition.labels.alertname === 'ServiceCritical')?.since).toBe(T0 + 999_000);
  });
});
