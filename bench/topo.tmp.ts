import { topologyFleet } from './topology-fleet';
import { deriveTopologyFromSummaries } from '@/lib/model/topology';
import { summaryOfService } from '@/lib/model/service-summary';
import type { Instance, Service } from '@/lib/model/instance';
const fleet = topologyFleet(10_000);
const services = fleet.map((s) => ({ name: s.name, status: 'passing', instances: Array.from({ length: 2 }, (_, i) => ({ id: `${s.name}-${i}`, key: `/services/${s.name}/${i}`, service: s.name, address: '127.0.0.1:9', status: 'passing', drain: null, metadata: s.metadata, dependsOn: s.dependsOn, zone: 'eu-west-1a', version: '1.0', format: 'json' } as unknown as Instance)) } as unknown as Service));
const summaries = services.map(summaryOfService);
console.log('deps total', summaries.reduce((n, s) => n + (s.dependsOn?.length ?? 0), 0), 'externals', summaries.reduce((n, s) => n + (s.externals?.length ?? 0), 0));
for (let r = 0; r < 5; r++) { const t = performance.now(); const topo = deriveTopologyFromSummaries(summaries, []); console.log((performance.now() - t).toFixed(1), 'ms', topo.nodes.length, topo.edges.length); }
