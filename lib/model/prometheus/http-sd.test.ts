import { describe, expect, it } from 'vitest';
import type { Instance, Service } from '../instance';
import { prometheusTargets } from './http-sd';

function instance(overrides: Partial<Instance>): Instance {
  return { id: 'users-1', service: 'users', key: '/services/users/users-1', address: '127.0.0.1:8080', format: 'native', metadata: {}, status: 'passing', drain: null, ...overrides };
}
const fleet = (...instances: Instance[]): Service[] => [{ name: 'users', status: 'passing', instances }];

describe('prometheusTargets', () => {
  it('gives one group per instance, labelled with service, instance, format, zone, version and drained', () => {
    const drained = instance({ id: 'users-2', address: '10.0.0.2:9000', zone: 'eu-1', version: 'v2', drain: { by: 'ann', reason: 'deploy', at: '2026-12-03T10:00:00Z' } });
    expect(prometheusTargets(fleet(instance({}), drained))).toEqual([
      { targets: ['127.0.0.1:8080'], labels: { service: 'users', instance: 'users-1', format: 'native', drained: 'false' } },
      { targets: ['10.0.0.2:9000'], labels: { service: 'users', instance: 'users-2', format: 'native', drained: 'true', zone: 'eu-1', version: 'v2' } },
    ]);
  });

  it('scrapes the port, path and scheme the prometheus.io annotations in the metadata name', () => {
    const annotated = instance({ metadata: { 'prometheus.io/port': '9090', 'prometheus.io/path': '/admin/metrics', 'prometheus.io/scheme': 'https' } });
    expect(prometheusTargets(fleet(annotated))).toEqual([
      { targets: ['127.0.0.1:9090'], labels: { service: 'users', instance: 'users-1', format: 'native', drained: 'false', __metrics_path__: '/admin/metrics', __scheme__: 'https' } },
    ]);
  });

  it('keeps IPv6 brackets and ignores a metrics port that is not a port', () => {
    const v6 = instance({ address: '[::1]:8080', metadata: { 'prometheus.io/port': '99999' } });
    expect(prometheusTargets(fleet(v6))[0]?.targets).toEqual(['[::1]:8080']);
  });

  it('moves a query in the path annotation into __param_ labels, as Prometheus adds them to the scrape URL', () => {
    const annotated = instance({ metadata: { 'prometheus.io/path': '/m?x=1#f' } });
    expect(prometheusTargets(fleet(annotated))[0]?.labels).toMatchObject({ __metrics_path__: '/m', __param_x: '1' });
    // A query labels cannot carry would scrape something other than asked: left out.
    expect(prometheusTargets(fleet(instance({ metadata: { 'prometheus.io/path': '/m?a-b=1' } })))).toEqual([]);
  });

  it('keeps a zoned link-local IPv6 address', () => {
    expect(prometheusTargets(fleet(instance({ address: '[fe80::1%eth0]:9100' })))[0]?.targets).toEqual(['[fe80::1%eth0]:9100']);
  });

  it('writes ports in canonical form and reads the scheme in any case', () => {
    const annotated = instance({ address: '10.0.0.1:08080', metadata: { 'prometheus.io/scheme': 'HTTPS' } });
    expect(prometheusTargets(fleet(annotated))[0]).toMatchObject({ targets: ['10.0.0.1:8080'], labels: { __scheme__: 'https' } });
    const metricsPort = instance({ metadata: { 'prometheus.io/port': '0080' } });
    expect(prometheusTargets(fleet(metricsPort))[0]?.targets).toEqual(['127.0.0.1:80']);
    expect(prometheusTargets(fleet(instance({ metadata: { 'prometheus.io/port': '0' } })))[0]?.targets).toEqual(['127.0.0.1:8080']);
  });

  it('leaves out instances that opt out or have no host:port address', () => {
    const optedOut = instance({ metadata: { 'prometheus.io/scrape': 'false' } });
    const url = instance({ address: 'http://127.0.0.1:8080/' });
    const noPort = instance({ address: 'users.internal' });
    expect(prometheusTargets(fleet(optedOut, url, noPort))).toEqual([]);
  });

  it('does not read annotations from the prototype of hostile metadata', () => {
    const hostile = instance({ metadata: JSON.parse('{"__proto__":{"prometheus.io/scrape":"false"}}') as Record<string, string> });
    expect(prometheusTargets(fleet(hostile))).toHaveLength(1);
  });

  it('leaves out lost instances: their address is dead', () => {
    const lost = instance({ id: 'users-2', key: '\u0000lost:/services/users/users-2', address: '10.0.0.2:8080', status: 'critical', lost: { at: '2026-12-03T10:00:00Z', cause: 'lease expired', passingBefore: 2 } });
    expect(prometheusTargets(fleet(instance({}), lost)).map((group) => group.targets)).toEqual([['127.0.0.1:8080']]);
  });
});
