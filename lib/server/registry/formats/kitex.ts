import { cloudWeGoDecoder } from './cloudwego';
import type { RegistryFormat } from './format';

export const kitex: RegistryFormat = {
  id: 'kitex',
  framework: 'CloudWeGo kitex (kitex-contrib/registry-etcd)',
  key: '`kitex/registry-etcd/<svc>/<host:port>`',
  value: '`{"network","address","weight","tags"}`',
  naming: 'service = the svc segment; id = the `host:port` segment',
  decode: cloudWeGoDecoder('kitex', 'kitex'),
  demo: {
    prefix: (service) => `kitex/registry-etcd/${service}/`,
    carriesMetadata: true,
    write: ({ service, address, zone, metadata }) => ({
      key: `kitex/registry-etcd/${service}/${address}`,
      value: JSON.stringify({ network: 'tcp', address, weight: 10, tags: { zone, ...metadata } }),
    }),
  },
};
