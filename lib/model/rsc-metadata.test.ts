import { describe, expect, it } from 'vitest';
import type { Instance, Service } from './instance';
import { protoMetadataPatches, withMetadataPatches } from './rsc-metadata';

const instance = (key: string, metadataJson: string): Instance => ({
  id: key,
  service: 's',
  key,
  address: '10.0.0.1:1',
  format: 'native',
  metadata: JSON.parse(metadataJson) as Record<string, string>,
  status: 'unknown',
  drain: null,
});

/** What React's Flight decoder does to a plain object: it deletes `__proto__` keys. */
function flightStrips(services: Service[]): Service[] {
  return services.map((service) => ({
    ...service,
    instances: service.instances.map((one) => {
      const metadata = { ...one.metadata };
      delete metadata['__proto__'];
      return { ...one, metadata };
    }),
  }));
}

describe('metadata patches across Server Component props', () => {
  it('carries only metadata with a __proto__ key, and puts it back as an own key', () => {
    const services: Service[] = [{ name: 's', status: 'unknown', instances: [instance('/a', '{"__proto__":"x","constructor":"y"}'), instance('/b', '{"k":"v"}')] }];
    const patches = protoMetadataPatches({ services });
    expect(patches).toEqual([['/a', [['__proto__', 'x'], ['constructor', 'y']]]]);

    const stripped = flightStrips(services);
    expect(Object.keys(stripped[0]?.instances[0]?.metadata ?? {})).toEqual(['constructor']);
    const restored = withMetadataPatches({ services: stripped }, patches);
    expect(Object.entries(restored.services[0]?.instances[0]?.metadata ?? {})).toEqual([['__proto__', 'x'], ['constructor', 'y']]);
    expect(restored.services[0]?.instances[1]).toBe(stripped[0]?.instances[1]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('changes nothing when no metadata has the key', () => {
    const snapshot = { services: [{ name: 's', status: 'unknown' as const, instances: [instance('/b', '{"k":"v"}')] }] };
    expect(protoMetadataPatches(snapshot)).toEqual([]);
    expect(withMetadataPatches(snapshot, [])).toBe(snapshot);
  });
});
