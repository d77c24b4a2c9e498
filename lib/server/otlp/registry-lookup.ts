import type { RegistryLookup } from '@/lib/model/otlp/peer';
import type { Store } from '../store/store';

/**
 * The registry by address and by service name, rebuilt only when the registry changed (its etcd
 * revision, or an instance or a lost stand-in came or went: a stand-in is taken out a delta after
 * the re-registration that moved the revision), so a request costs a map lookup per point, not a
 * walk over the fleet.
 */
export function createRegistryLookup(store: Pick<Store, 'instances' | 'revision' | 'membership'>): () => RegistryLookup {
  let builtFor = '';
  let byAddress = new Map<string, { service: string; id: string }>();
  let services = new Set<string>();
  let instances = new Set<string>();
  /** Lost instances' ids by service (by service first: no key string built per question). */
  let lostIds = new Map<string, Set<string>>();
  /** Services every instance of which is lost. */
  let lostServices = new Set<string>();
  const instanceKey = (service: string, id: string): string => `${service}\u0000${id}`;
  const lookup: RegistryLookup = {
    instanceAt: (hostPort) => byAddress.get(hostPort.toLowerCase()),
    hasService: (name) => services.has(name),
    hasInstance: (service, id) => instances.has(instanceKey(service, id)),
    isLost: (service, id) => lostIds.size > 0 && (id === undefined ? lostServices.has(service) : lostIds.get(service)?.has(id) === true),
  };
  return () => {
    const version = `${store.revision()}/${store.membership()}`;
    if (version !== builtFor) {
      builtFor = version;
      byAddress = new Map();
      services = new Set();
      instances = new Set();
      lostIds = new Map();
      const reachable = new Set<string>();
      for (const instance of store.instances()) {
        services.add(instance.service);
        instances.add(instanceKey(instance.service, instance.id));
        if (!instance.lost) reachable.add(instance.service);
        else {
          const ids = lostIds.get(instance.service);
          if (ids) ids.add(instance.id);
          else lostIds.set(instance.service, new Set([instance.id]));
        }
        // Registered addresses may carry a scheme (grpc://, http://); a peer attribute never does.
        const hostPort = instance.address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
        byAddress.set(hostPort, { service: instance.service, id: instance.id });
      }
      lostServices = new Set([...services].filter((service) => !reachable.has(service)));
    }
    return lookup;
  };
}
