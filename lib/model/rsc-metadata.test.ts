import { describe, expect, it } from 'vitest';
import type { Instance } from './instance';
import { instanceMetadataPatches, withInstanceMetadataPatches } from './rsc-metadata';

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
function flightStrips(instances: Instance[]): Instance[] {
  return instances.map((one) => {
    const metadata = { ...one.metadata };
    delete metadata['__proto__'];
    return { ...one, metadata };
  });
}

describe('metadata patches across Server Component props', () => {
  it('carries only metadata with a __proto__ key, and puts it back as an own key', () => {
    const instances = [instance('/a', '{"__proto__":"x","constructor":"y"}'), instance('/b', '{"k":"v"}')];
    const patches = instanceMetadataPatches(instances);
    expect(patches).toEqual([['/a', [['__proto__', 'x'], ['constructor', 'y']]]]);

    const stripped = flightStrips(instances);
    expect(Object.keys(stripped[0]?.metadata ?? {})).toEqual(['constructor']);
    const restored = withInstanceMetadataPatches(stripped, patches);
    expect(Object.entries(restored[0]?.metadata ?? {})).toEqual([['__proto__', 'x'], ['constructor', 'y']]);
    expect(restored[1]).toBe(stripped[1]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('changes nothing when no metadata has the key', () => {
    const instances = [instance('/b', '{"k":"v"}')];
    expect(instanceMetadataPatches(instances)).toEqual([]);
    expect(withInstanceMetadataPatches(instances, [])).toBe(instances);
  });
});
