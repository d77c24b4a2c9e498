import type { Format } from '@/lib/model/instance';

export interface DemoInstance {
  service: string;
  id: string;
  /** host:port the instance really listens on. */
  address: string;
  version: string;
  zone: string;
  /** Only Switchyard's native format can declare dependencies; the other frameworks have no field for them. */
  dependsOn: string[];
  /** Written where the framework's value has a free-form map (tags, metadata, URL parameters). */
  metadata: Record<string, string>;
}

/** The dubbo interface a demo service exports; interface-level dubbo registers that, not the app name. */
function dubboInterface(service: string): string {
  return `com.example.${service}.Provider`;
}

/** The service name Switchyard decodes from this format's registration (what callers and drains use). */
export function registeredServiceName(format: Format, service: string): string {
  return format === 'dubbo' ? dubboInterface(service) : service;
}

/** The etcd prefix under which every registration of `service` in `format` lives (what a resolver watches). */
export function registrationPrefix(format: Format, service: string): string {
  switch (format) {
    case 'native':
    case 'dubbo-app':
      return `/services/${service}/`;
    case 'go-zero':
    case 'grpc-go':
      return `${service}/`;
    case 'kratos':
      return `/microservices/${service}/`;
    case 'go-micro':
      return `/micro/registry/${service}/`;
    case 'kitex':
    case 'hertz':
      return `${format}/registry-etcd/${service}/`;
    case 'rpcx':
      return `/rpcx_demo/${service}/`;
    case 'dubbo':
      return `/dubbo/${dubboInterface(service)}/providers/`;
    case 'plain':
      return `/registry/${service}/`;
    case 'generic':
      return `/apps/${service}/`;
  }
}

/**
 * The key and value a service written with each framework puts into etcd for itself, byte-shaped
 * like the Go originals (capitalised dubbo fields, go-zero lease-id keys, rpcx query strings…).
 */
export function registrationFor(format: Format, instance: DemoInstance, leaseId: string): { key: string; value: string } {
  const { service, id, address, version, zone, dependsOn, metadata } = instance;
  const [host = '127.0.0.1', port = '0'] = address.split(':');
  const prefix = registrationPrefix(format, service);
  switch (format) {
    case 'native':
      return {
        key: `${prefix}${id}`,
        value: JSON.stringify({ address, version, zone, metadata, health: { http: '/healthz' }, dependsOn }),
      };
    case 'go-zero':
      return { key: `${prefix}${leaseId}`, value: address };
    case 'kratos':
      return {
        key: `${prefix}${id}`,
        value: JSON.stringify({ id, name: service, version, metadata: { zone, ...metadata }, endpoints: [`http://${address}`] }),
      };
    case 'go-micro':
      return {
        key: `${prefix}${id}`,
        value: JSON.stringify({
          name: service,
          version,
          metadata: null,
          endpoints: null,
          nodes: [{ id, address, metadata: { zone, protocol: 'http', ...metadata } }],
        }),
      };
    case 'grpc-go':
      return { key: `${prefix}${address}`, value: JSON.stringify({ Op: 0, Addr: address, Metadata: { zone, ...metadata } }) };
    case 'kitex':
      return { key: `${prefix}${address}`, value: JSON.stringify({ network: 'tcp', address, weight: 10, tags: { zone, ...metadata } }) };
    case 'hertz':
      return { key: `${prefix}${address}`, value: JSON.stringify({ weight: 10, tags: { zone, ...metadata }, network: 'tcp', address }) };
    case 'rpcx':
      return { key: `${prefix}tcp@${address}`, value: new URLSearchParams({ group: zone, version, ...metadata }).toString() };
    case 'dubbo': {
      const params = new URLSearchParams({
        application: service,
        interface: dubboInterface(service),
        version,
        side: 'provider',
        ...metadata,
      });
      return { key: `${prefix}${encodeURIComponent(`dubbo://${address}/${dubboInterface(service)}?${params.toString()}`)}`, value: '' };
    }
    case 'dubbo-app':
      return {
        key: `${prefix}${address}`,
        value: `${JSON.stringify({ ServiceName: service, Host: host, Port: Number(port), Id: address, Weight: 100, Enable: true, Healthy: true, Metadata: { zone, ...metadata } })}\n`,
      };
    case 'plain':
      return { key: `${prefix}${address}`, value: address };
    case 'generic':
      return { key: `${prefix}${id}`, value: `http://${address}` };
  }
}
