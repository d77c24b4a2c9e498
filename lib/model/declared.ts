import type { Instance } from './instance';

/** What registrations declare about a service's neighbours, shared by its summary and the map. */

const EXTERNAL_PREFIX = 'external.';
/** Non-native formats have no `dependsOn`; a comma-separated `dependsOn` metadata value declares the same. */
const DEPENDS_ON_METADATA = 'dependsOn';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `external.<name>` metadata of a service's instances: external name → the kinds they give it (one vote per instance). */
export function externalKindVotes(service: { instances: readonly Instance[] }): Map<string, string[]> {
  const votes = new Map<string, string[]>();
  for (const instance of service.instances) {
    for (const [key, value] of Object.entries(instance.metadata)) {
      if (!key.startsWith(EXTERNAL_PREFIX) || key.length === EXTERNAL_PREFIX.length) continue;
      const name = key.slice(EXTERNAL_PREFIX.length);
      const list = votes.get(name);
      if (list) list.push(value);
      else votes.set(name, [value]);
    }
  }
  return votes;
}

/** What a service declares it depends on: `dependsOn` of every instance, plus `external.<name>` and `dependsOn` metadata. */
export function declaredTargets(service: { name: string; instances: readonly Instance[] }): string[] {
  const targets = new Set<string>();
  for (const instance of service.instances) {
    for (const target of instance.dependsOn ?? []) targets.add(target);
    for (const [key, value] of Object.entries(instance.metadata)) {
      if (key.startsWith(EXTERNAL_PREFIX) && key.length > EXTERNAL_PREFIX.length) targets.add(key.slice(EXTERNAL_PREFIX.length));
      else if (key === DEPENDS_ON_METADATA) {
        for (const name of value.split(',')) if (name.trim() !== '') targets.add(name.trim());
      }
    }
  }
  targets.delete(service.name);
  return [...targets];
}

/** The most common value, ties broken by name; undefined when there is none. */
export function mostCommon(values: Iterable<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== undefined && value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && compareText(value, best) < 0)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

/** The zone most of a service's instances run in (ties: by name); undefined when none declares one. */
export function primaryZone(service: { instances: readonly Pick<Instance, 'zone'>[] }): string | undefined {
  return mostCommon(service.instances.map((instance) => instance.zone));
}
