import type { Instance } from './instance';

/** What registrations declare about a service's neighbours, shared by its summary and the map. */

const EXTERNAL_PREFIX = 'external.';
/** Non-native formats have no `dependsOn`; a comma-separated `dependsOn` metadata value declares the same. */
const DEPENDS_ON_METADATA = 'dependsOn';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** What one instance's metadata declares: `external.<name>` → kind, and the names of a `dependsOn` value. */
export interface MetadataDeclarations {
  externals: readonly (readonly [name: string, kind: string])[];
  dependsOn: readonly string[];
}

const NO_DECLARATIONS: MetadataDeclarations = { externals: [], dependsOn: [] };
/**
 * Per metadata object (registrations are decoded into new objects and never mutated): a service's
 * summary reads every instance's declarations whenever the service changes, which at 1,000 puts/s
 * into a service of thousands was a quarter of the server's allocation (issue 19).
 */
const declarationsOf = new WeakMap<Readonly<Record<string, string>>, MetadataDeclarations>();

/** What an instance's metadata declares about its neighbours, read once per metadata object. */
export function metadataDeclarations(metadata: Readonly<Record<string, string>>): MetadataDeclarations {
  let declarations = declarationsOf.get(metadata);
  if (declarations) return declarations;
  const externals: [string, string][] = [];
  const dependsOn: string[] = [];
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith(EXTERNAL_PREFIX) && key.length > EXTERNAL_PREFIX.length) externals.push([key.slice(EXTERNAL_PREFIX.length), value]);
    else if (key === DEPENDS_ON_METADATA) {
      for (const name of value.split(',')) if (name.trim() !== '') dependsOn.push(name.trim());
    }
  }
  declarations = externals.length === 0 && dependsOn.length === 0 ? NO_DECLARATIONS : { externals, dependsOn };
  declarationsOf.set(metadata, declarations);
  return declarations;
}

/** What a service declares it depends on: `dependsOn` of every instance, plus `external.<name>` and `dependsOn` metadata. */
export function declaredTargets(service: { name: string; instances: readonly Instance[] }): string[] {
  const targets = new Set<string>();
  for (const instance of service.instances) addDeclaredTargets(instance, targets);
  targets.delete(service.name);
  return [...targets];
}

/** One instance's declared dependencies, added to `targets`. */
export function addDeclaredTargets(instance: Pick<Instance, 'dependsOn' | 'metadata'>, targets: Set<string>): void {
  for (const target of instance.dependsOn ?? []) targets.add(target);
  const declarations = metadataDeclarations(instance.metadata);
  for (const [name] of declarations.externals) targets.add(name);
  for (const name of declarations.dependsOn) targets.add(name);
}

/** The most common value, ties broken by name; undefined when there is none. */
export function mostCommon(values: Iterable<string | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== undefined && value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
  return mostCommonCounted(counts);
}

/** The value with the highest count, ties broken by name; undefined when there is none. */
export function mostCommonCounted(counts: ReadonlyMap<string, number>): string | undefined {
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
