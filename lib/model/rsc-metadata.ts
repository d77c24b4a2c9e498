import type { Instance } from './instance';

/**
 * React's Flight decoder deletes every `__proto__` key from objects passed as Server Component
 * props (a deliberate hardening), so an instance whose metadata has that key would lose it on the
 * way to the browser. The few such metadata maps travel beside the instances as entry arrays, which
 * Flight keeps, and are put back on the client.
 */
export type MetadataPatches = [key: string, entries: [string, string][]][];

/** The metadata of every instance that has a `__proto__` key, as entries (empty for almost every fleet). */
export function instanceMetadataPatches(instances: readonly Instance[]): MetadataPatches {
  const patches: MetadataPatches = [];
  for (const instance of instances) {
    if (Object.hasOwn(instance.metadata, '__proto__')) patches.push([instance.key, Object.entries(instance.metadata)]);
  }
  return patches;
}

/** The instances with those instances' metadata rebuilt from their entries (`Object.fromEntries` defines `__proto__` as a key). */
export function withInstanceMetadataPatches(instances: Instance[], patches: MetadataPatches): Instance[] {
  if (patches.length === 0) return instances;
  const byKey = new Map(patches);
  return instances.map((instance) => {
    const entries = byKey.get(instance.key);
    return entries ? { ...instance, metadata: Object.fromEntries(entries) } : instance;
  });
}
