import { describe, expect, it } from 'vitest';
import { deriveTopology, namespaceOf } from '@/lib/model/topology/topology';
import { AUTO_GROUP_THRESHOLD } from '@/lib/model/topology/view';
import { groupsOf } from '@/lib/model/topology/group';
import type { Service } from '@/lib/model/instance';
import { topologyFleet } from './topology-fleet';

const asServices = (count: number): Service[] =>
  topologyFleet(count).map((fixture) => ({
    name: fixture.name,
    status: 'unknown',
    instances: [
      {
        id: `${fixture.name}-1`,
        service: fixture.name,
        key: `/services/${fixture.name}/1`,
        address: '127.0.0.1:1',
        format: 'native',
        metadata: fixture.metadata,
        dependsOn: fixture.dependsOn,
        zone: fixture.zone,
        status: 'unknown',
        drain: null,
      },
    ],
  }));

describe('topologyFleet', () => {
  it.each([100, 1_000, 5_000])('%i services: unique names, only known or external targets, a few edges each', (count) => {
    const fleet = topologyFleet(count);
    expect(fleet).toHaveLength(count);
    expect(new Set(fleet.map((s) => s.name)).size).toBe(count);
    const topology = deriveTopology(asServices(count));
    const externals = topology.nodes.filter((node) => node.kind !== 'service');
    expect(externals.every((node) => node.kind === 'database' || node.kind === 'cache' || node.kind === 'queue')).toBe(true);
    expect(topology.edges.length / count).toBeGreaterThan(1);
    expect(topology.edges.length / count).toBeLessThan(4);
  });

  it('is deterministic', () => {
    expect(topologyFleet(300)).toEqual(topologyFleet(300));
  });

  it('above the grouping threshold, namespaces aggregate thousands of services into a drawable number of groups', () => {
    const count = 5_000;
    expect(count).toBeGreaterThan(AUTO_GROUP_THRESHOLD);
    const topology = deriveTopology(asServices(count));
    const groups = groupsOf(topology.nodes, 'namespace');
    expect(groups.size).toBeLessThan(300);
    expect(new Set(topologyFleet(count).map((s) => namespaceOf(s.name))).size).toBeLessThan(300);
  });
});
