/**
 * A fleet shaped like real ones, for the topology benchmark: edge proxies → gateways → domain APIs
 * → internal services → stores → databases, caches and queues; most calls stay inside a domain
 * (namespace), some cross. Deterministic: the same count gives the same fleet.
 */

export interface FixtureService {
  name: string;
  zone: string;
  dependsOn: string[];
  metadata: Record<string, string>;
}

const DOMAINS = [
  'payments', 'orders', 'users', 'billing', 'catalog', 'search', 'ledger', 'pricing', 'shipping', 'media',
  'identity', 'inventory', 'checkout', 'reviews', 'ads', 'fraud', 'notify', 'support', 'loyalty', 'tax',
  'quotes', 'returns', 'promo', 'geo', 'fleet', 'maps', 'chat', 'feed', 'social', 'audit',
  'reports', 'export', 'import', 'sync', 'cache', 'rules', 'risk', 'kyc', 'wallet', 'rewards',
];
const ROLES = ['api', 'worker', 'svc', 'engine', 'reader', 'writer', 'indexer', 'scheduler'];
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Tier = 0 | 1 | 2 | 3 | 4;

export function topologyFleet(count: number, seed = 42): FixtureService[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const domainCount = Math.max(3, Math.round(count / 40));
  const domains = Array.from({ length: domainCount }, (_, i) => (i < DOMAINS.length ? (DOMAINS[i] ?? 'd') : `${DOMAINS[i % DOMAINS.length] ?? 'd'}${Math.floor(i / DOMAINS.length)}`));
  const edges = Math.max(1, Math.round(count * 0.01));
  const gateways = Math.max(1, Math.round(count * 0.03));
  const rest = Math.max(0, count - edges - gateways);

  const services: (FixtureService & { tier: Tier; domain: string })[] = [];
  const add = (name: string, tier: Tier, domain: string): void => {
    services.push({ name, tier, domain, zone: ZONES[services.length % ZONES.length] ?? 'eu-west-1a', dependsOn: [], metadata: {} });
  };
  for (let i = 0; i < edges; i += 1) add(`edge-proxy-${i + 1}`, 0, 'edge');
  for (let i = 0; i < gateways; i += 1) add(`gateway-${pick(['web', 'mobile', 'partner', 'internal'])}-${i + 1}`, 1, 'gateway');
  for (let i = 0; i < rest; i += 1) {
    const domain = domains[i % domains.length] ?? 'd';
    const share = rnd();
    const tier: Tier = share < 0.3 ? 2 : share < 0.78 ? 3 : 4;
    const role = tier === 2 ? 'api' : tier === 4 ? 'store' : pick(ROLES.slice(1));
    add(`${domain}-${role}-${Math.floor(i / domains.length) + 1}`, tier, domain);
  }

  const byTier = (tier: Tier) => services.filter((service) => service.tier === tier);
  const tiers = [byTier(0), byTier(1), byTier(2), byTier(3), byTier(4)] as const;
  const sameDomain = new Map<string, Map<Tier, FixtureService[]>>();
  for (const service of services) {
    const forDomain = sameDomain.get(service.domain) ?? new Map<Tier, FixtureService[]>();
    forDomain.set(service.tier, [...(forDomain.get(service.tier) ?? []), service]);
    sameDomain.set(service.domain, forDomain);
  }
  const depend = (service: FixtureService, target: string): void => {
    if (target !== service.name && !service.dependsOn.includes(target)) service.dependsOn.push(target);
  };

  for (const service of services) {
    if (service.tier === 0) {
      for (const gateway of tiers[1]) depend(service, gateway.name);
      continue;
    }
    if (service.tier === 1) {
      for (let k = 0; k < 4; k += 1) if (tiers[2].length > 0) depend(service, pick(tiers[2]).name);
      continue;
    }
    if (service.tier === 4) {
      depend(service, `postgres-${service.domain}`);
      service.metadata[`external.postgres-${service.domain}`] = 'database';
      if (rnd() < 0.4) {
        depend(service, 'redis');
        service.metadata['external.redis'] = 'cache';
      }
      continue;
    }
    const calls = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < calls; k += 1) {
      const tier = (service.tier + 1 + (rnd() < 0.25 ? 1 : 0)) as Tier;
      const local = sameDomain.get(service.domain)?.get(Math.min(tier, 4) as Tier) ?? [];
      const pool = local.length > 0 && rnd() < 0.75 ? local : tiers[Math.min(tier, 4) as Tier];
      if (pool.length > 0) depend(service, pick(pool).name);
    }
    if (service.tier === 3 && rnd() < 0.2) {
      depend(service, 'kafka');
      service.metadata['external.kafka'] = 'queue';
    }
  }
  return services.map(({ name, zone, dependsOn, metadata }) => ({ name, zone, dependsOn, metadata }));
}
