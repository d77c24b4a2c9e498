import type { Instance, Service } from '../instance';

/** One Prometheus HTTP SD target group (prometheus.io/docs/prometheus/latest/http_sd/). */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * The instance annotations Prometheus users already know from Kubernetes, read from registration
 * metadata: a registered address is usually the RPC port, so the metrics port must be said.
 */
export const ANNOTATIONS = {
  scrape: 'prometheus.io/scrape',
  port: 'prometheus.io/port',
  path: 'prometheus.io/path',
  scheme: 'prometheus.io/scheme',
} as const;

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

const annotation = (instance: Instance, name: string): string | undefined =>
  Object.hasOwn(instance.metadata, name) ? instance.metadata[name] : undefined;

const validPort = (text: string | undefined): text is string => text !== undefined && /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535;

/** `host:port` to scrape, or null when the instance has no address Prometheus can use. */
export function scrapeAddress(instance: Instance): string | null {
  const match = HOST_PORT.exec(instance.address);
  if (!match?.[1] || !validPort(match[2])) return null;
  const port = annotation(instance, ANNOTATIONS.port);
  return `${match[1]}:${validPort(port) ? port : match[2]}`;
}

/** One group per registered instance, labelled so a query can select by what the registry says; a lost one's address is dead. */
export function prometheusTargets(services: readonly Service[]): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const service of services) {
    for (const instance of service.instances) {
      if (instance.lost) continue;
      if (annotation(instance, ANNOTATIONS.scrape) === 'false') continue;
      const target = scrapeAddress(instance);
      if (!target) continue;
      const labels: Record<string, string> = {
        service: instance.service,
        instance: instance.id,
        format: instance.format,
        drained: String(instance.drain !== null),
      };
      if (instance.zone !== undefined) labels.zone = instance.zone;
      if (instance.version !== undefined) labels.version = instance.version;
      const path = annotation(instance, ANNOTATIONS.path);
      if (path?.startsWith('/')) labels.__metrics_path__ = path;
      const scheme = annotation(instance, ANNOTATIONS.scheme);
      if (scheme === 'http' || scheme === 'https') labels.__scheme__ = scheme;
      groups.push({ targets: [target], labels });
    }
  }
  return groups;
}
