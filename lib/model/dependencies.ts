import type { Service } from './instance';

/** What a service declares it calls (union over its instances' `dependsOn`), and who declares calling it. */
export function declaredDependencies(services: readonly Service[], name: string): { dependencies: string[]; dependents: string[] } {
  const dependencies = new Set<string>();
  const dependents = new Set<string>();
  for (const service of services) {
    for (const instance of service.instances) {
      for (const target of instance.dependsOn ?? []) {
        if (service.name === name) dependencies.add(target);
        if (target === name && service.name !== name) dependents.add(service.name);
      }
    }
  }
  return { dependencies: [...dependencies].sort(), dependents: [...dependents].sort() };
}
