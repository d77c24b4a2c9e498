import type { Format } from '@/lib/model/instance';

export interface DemoInstance {
  service: string;
  id: string;
  /** host:port the instance really listens on. */
  address: string;
  version: string;
  zone: string;
  dependsOn: string[];
}

/**
 * The key and value a service written with each framework puts into etcd for itself, byte-shaped
 * like the Go originals (capitalised dubbo fields, go-zero lease-id keys, rpcx query strings…).
 */
export function registrationFor(format: Format, instance: DemoInstance, leaseId: string): { key: string; value: string } {
  const { service, id, address, version, zone, dependsOn } = instance;
  const [host = '127.0.0.1', port = '0'] = address.split(':');
  switch (format) {
    case 'native':
      return {
        key: `/services/${service}/${id}`,
        value: JSON.stringify({ address, version, zone, metadata: { team: 'platform' }, health: { http: '/healthz' }, dependsOn }),
      };
    case 'go-zero':
      return { key: `${service}/${leaseId}`, value: address };
    case 'kratos':
      return {
        key: `/microservices/${service}/${id}`,
        value: JSON.stringify({ id, name: service, version, metadata: { zone }, endpoints: [`http://${address}`] }),
      };
    case 'go-micro':
      return {
        key: `/micro/registry/${service}/${id}`,
        value: JSON.stringify({ name: service, version, metadata: null, endpoints: null, nodes: [{ id, address, metadata: { zone, protocol: 'http' } }] }),
      };
    case 'grpc-go':
      return { key: `${service}/${address}`, value: JSON.stringify({ Op: 0, Addr: address, Metadata: null }) };
    case 'kitex':
      return { key: `kitex/registry-etcd/${service}/${address}`, value: JSON.stringify({ network: 'tcp', address, weight: 10, tags: { zone } }) };
    case 'hertz':
      return { key: `hertz/registry-etcd/${service}/${address}`, value: JSON.stringify({ weight: 10, tags: { zone }, network: 'tcp', address }) };
    case 'rpcx':
      return { key: `/rpcx_demo/${service}/tcp@${address}`, value: `group=${zone}&version=${version}` };
    case 'dubbo': {
      const url = `dubbo://${address}/com.example.${service}.Provider?application=${service}&interface=com.example.${service}.Provider&version=${version}&side=provider`;
      return { key: `/dubbo/com.example.${service}.Provider/providers/${encodeURIComponent(url)}`, value: '' };
    }
    case 'dubbo-app':
      return {
        key: `/services/${service}/${address}`,
        value: `${JSON.stringify({ ServiceName: service, Host: host, Port: Number(port), Id: address, Weight: 100, Enable: true, Healthy: true, Metadata: { zone } })}\n`,
      };
    case 'plain':
      return { key: `/registry/${service}/${address}`, value: address };
    case 'generic':
      return { key: `/apps/${service}/${id}`, value: `http://${address}` };
  }
}
