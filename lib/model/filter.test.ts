import { describe, expect, it } from 'vitest';
import type { Instance, Service, Status } from './instance';
import { DEFAULT_QUERY, facetsOf, parseServiceQuery, queryServices, serviceMatchesSearch, serviceQueryToParams, type ServiceQuery } from './filter';
import { summaryOfService } from './service-summary';

function instance(service: string, id: string, extra: Partial<Instance> = {}): Instance {
  return {
    id,
    service,
    key: `/services/${service}/${id}`,
    address: '10.0.0.1:9000',
    format: 'native',
    metadata: {},
    status: 'passing',
    drain: null,
    ...extra,
  };
}

function service(name: string, status: Status, instances: Instance[]): Service {
  return { name, status, instances };
}

const services = [
  service('users', 'passing', [
    instance('users', 'u-1', { address: '10.0.0.7:9001', version: '1.4.2', zone: 'eu-west-1a', metadata: { team: 'Identity' } }),
    instance('users', 'u-2', { version: '1.5.0', zone: 'eu-west-1b' }),
  ]),
  service('orders', 'critical', [instance('orders', 'o-1', { format: 'go-zero', zone: 'eu-west-1a', status: 'critical' })]),
  service('billing', 'warning', [
    instance('billing', 'b-1', { format: 'kratos', version: '2.0.0' }),
    instance('billing', 'b-2', { format: 'kratos', status: 'critical' }),
    instance('billing', 'b-3', { format: 'native', version: '2.0.0' }),
  ]),
  service('<script>alert(1)</script>', 'unknown', [instance('<script>alert(1)</script>', 'x', { status: 'unknown' })]),
];
const fleet = services.map(summaryOfService);

/** As the list asks it: names match locally, instance data through the server's hits. */
const names = (query: Partial<ServiceQuery>) => {
  const full = { ...DEFAULT_QUERY, ...query };
  const hits = new Set(services.filter((service) => serviceMatchesSearch(service, full.search)).map((service) => service.name));
  return queryServices(fleet, full, hits).map((s) => s.name);
};

describe('search', () => {
  it.each([
    ['USERS', ['users']],
    ['o-1', ['orders']],
    ['10.0.0.7', ['users']],
    ['identity', ['users']],
    ['<SCRIPT>', ['<script>alert(1)</script>']],
    ['  ', ['<script>alert(1)</script>', 'billing', 'orders', 'users']],
    ['nothing-matches', []],
  ])('%j matches %j', (search, expected) => {
    expect(names({ search, sort: 'name' })).toEqual(expected);
  });

  it('does not match metadata keys, only values', () => {
    expect(names({ search: 'team' })).toEqual([]);
  });

  it('matches names without the server\'s hits, instance data only with them', () => {
    expect(queryServices(fleet, { ...DEFAULT_QUERY, search: 'ORD' }).map((s) => s.name)).toEqual(['orders']);
    expect(queryServices(fleet, { ...DEFAULT_QUERY, search: 'o-1' }).map((s) => s.name)).toEqual([]);
  });
});

describe('filters', () => {
  it('filters by rolled-up status', () => {
    expect(names({ status: 'critical' })).toEqual(['orders']);
  });
  it('filters by format, zone and version when any instance has it', () => {
    expect(names({ format: 'kratos' })).toEqual(['billing']);
    expect(names({ format: 'native', sort: 'name' })).toEqual(['<script>alert(1)</script>', 'billing', 'users']);
    expect(names({ zone: 'eu-west-1a' })).toEqual(['orders', 'users']);
    expect(names({ version: '1.5.0' })).toEqual(['users']);
  });
  it('combines filters with search', () => {
    expect(names({ zone: 'eu-west-1a', search: 'ord' })).toEqual(['orders']);
  });
});

describe('sorting', () => {
  it('sorts by status worst first, ties by name', () => {
    expect(names({ sort: 'status' })).toEqual(['orders', 'billing', '<script>alert(1)</script>', 'users']);
    expect(names({ sort: 'status', direction: 'desc' })).toEqual(['users', '<script>alert(1)</script>', 'billing', 'orders']);
  });
  it('puts the likely origin first among its status by status, not among the others', () => {
    const byStatus = { ...DEFAULT_QUERY, sort: 'status' as const };
    expect(queryServices(fleet, byStatus, undefined, new Set(['orders'])).map((s) => s.name)).toEqual(['orders', 'billing', '<script>alert(1)</script>', 'users']);
    expect(queryServices(fleet, byStatus, undefined, new Set(['orders', 'billing'])).map((s) => s.name)).toEqual(['orders', 'billing', '<script>alert(1)</script>', 'users']);
    const bothCritical = fleet.map((summary) => (summary.name === 'billing' ? { ...summary, status: 'critical' as const } : summary));
    expect(queryServices(bothCritical, byStatus).map((s) => s.name).slice(0, 2)).toEqual(['billing', 'orders']);
    expect(queryServices(bothCritical, byStatus, undefined, new Set(['orders'])).map((s) => s.name).slice(0, 2)).toEqual(['orders', 'billing']);
    expect(queryServices(bothCritical, { ...byStatus, sort: 'name' }, undefined, new Set(['orders'])).map((s) => s.name)).toEqual(['<script>alert(1)</script>', 'billing', 'orders', 'users']);
  });
  it('sorts by instance count, ties by name', () => {
    expect(names({ sort: 'instances', direction: 'desc' })).toEqual(['billing', 'users', '<script>alert(1)</script>', 'orders']);
  });
  it('sorts by name descending', () => {
    expect(names({ sort: 'name', direction: 'desc' })).toEqual(['users', 'orders', 'billing', '<script>alert(1)</script>']);
  });
});

describe('facetsOf', () => {
  it('lists values with service counts, statuses and formats in their canonical order', () => {
    const facets = facetsOf(fleet);
    expect(facets.statuses).toEqual([
      { value: 'passing', count: 1 },
      { value: 'warning', count: 1 },
      { value: 'critical', count: 1 },
      { value: 'unknown', count: 1 },
    ]);
    expect(facets.formats).toEqual([
      { value: 'native', count: 3 },
      { value: 'go-zero', count: 1 },
      { value: 'kratos', count: 1 },
    ]);
    expect(facets.zones).toEqual([
      { value: 'eu-west-1a', count: 2 },
      { value: 'eu-west-1b', count: 1 },
    ]);
    expect(facets.versions.map((v) => v.value)).toEqual(['1.4.2', '1.5.0', '2.0.0']);
  });
});

describe('URL round trip', () => {
  it('parses what it serialises and omits defaults', () => {
    const query: ServiceQuery = { search: 'a b', status: 'warning', format: 'rpcx', zone: 'z', version: 'v', sort: 'instances', direction: 'desc' };
    const params = new URLSearchParams(serviceQueryToParams(query));
    expect(parseServiceQuery((name) => params.get(name))).toEqual(query);
    expect(serviceQueryToParams(DEFAULT_QUERY)).toEqual([]);
  });
  it('lists worst first by default, and by name when asked', () => {
    expect(parseServiceQuery(() => null)).toMatchObject({ sort: 'status', direction: 'asc' });
    const byName: ServiceQuery = { ...DEFAULT_QUERY, sort: 'name' };
    expect(serviceQueryToParams(byName)).toEqual([['sort', 'name']]);
    expect(names({})).toEqual(['orders', 'billing', '<script>alert(1)</script>', 'users']);
  });
  it('ignores unknown values and takes the first of repeated params', () => {
    const params = new URLSearchParams('status=bogus&format=__proto__&sort=x&dir=up&q=one&q=two');
    expect(parseServiceQuery((name) => params.get(name))).toEqual({
      ...DEFAULT_QUERY,
      search: 'one',
    });
  });
});
