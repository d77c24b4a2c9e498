import type { Instance, Service } from '../instance';
import { metricsPathLabels } from './metrics-path';

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

// A bracketed IPv6 address may name its zone (`[fe80::1%eth0]`): Go's URL and dialer, and so
// Prometheus, scrape a link-local address through it.
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._~-]+)?\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

const annotation = (instance: Instance, name: string): string | undefined =>
  Object.hasOwn(instance.metadata, name) ? instance.metadata[name] : undefined;

/** A port in canonical form (`0080` → `80`: Prometheus would dial `host:0080` as written), or null. */
function port(text: string | undefined): string | null {
  const value = text !== undefined && /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : 0;
  return value >= 1 && value <= 65_535 ? String(value) : null;
}

/** `host:port` to scrape, or null when the instance has no address Prometheus can use. */
export function scrapeAddress(instance: Instance): string | null {
  const match = HOST_PORT.exec(instance.address);
  const registered = port(match?.[2]);
  if (!match?.[1] || !registered) return null;
  return `${match[1]}:${port(annotation(instance, ANNOTATIONS.port)) ?? registered}`;
}

/** One group per registered instance, labelled so a query can select by what the registry says; a lost one's address is dead. */
export function prometheusTargets(services: readonly Service[]): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const service of services) {
    for (const instance of service.instances) {
      if (instance.lost) continue;
      if (annotation(instance, ANNOTATIONS.scrape) === 'false') continue;
      const target = scrapeAddress(instance);
      const path = metricsPathLabels(annotation(instance, ANNOTATIONS.path));
      if (!target || !path) continue;
      const labels: Record<string, string> = {
        service: instance.service,
        instance: instance.id,
        format: instance.format,
        drained: String(instance.drain !== null),
      };
      if (instance.zone !== undefined) labels.zone = instance.zone;
      if (instance.version !== undefined) labels.version = instance.version;
      const scheme = annotation(instance, ANNOTATIONS.scheme)?.trim().toLowerCase();
      if (scheme === 'http' || scheme === 'https') labels.__scheme__ = scheme;
      groups.push({ targets: [target], labels: { ...labels, ...path } });
    }
  }
  return groups;
}
