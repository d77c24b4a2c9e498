import { describe, expect, it } from 'vitest';
import { statusStillCallsFor } from './conditions';

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
