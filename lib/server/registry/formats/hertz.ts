import { cloudWeGoDecoder } from './cloudwego';
import type { RegistryFormat } from './format';

export const hertz: RegistryFormat = {
  id: 'hertz',
  framework: 'CloudWeGo hertz (hertz-contrib/registry/etcd)',
  key: '`hertz/registry-etcd/<svc>/<host:port>`',
  value: '`{"network","address","weight","tags"}` (sonic: tags unsorted, `<` unescaped)',
  naming: 'service = the svc segment; id = the `host:port` segment',
  decode: cloudWeGoDecoder('hertz', 'hertz'),
  demo: {
    prefix: (service) => `hertz/registry-etcd/${service}/`,
    carriesMetadata: true,
    write: ({ service, address, zone, metadata }) => ({
      key: `hertz/registry-etcd/${service}/${address}`,
      // sonic keeps map insertion order instead of sorting: the zone tag comes after the others.
      value: JSON.stringify({ network: 'tcp', address, weight: 10, tags: { ...metadata, zone } }),
    }),
  },
};
