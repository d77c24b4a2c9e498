import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { keySegments, metadataFrom, metadataOf, optionalText, parseEndpoint, readJsonObject } from './util';

/** The registry's default namespace; `etcd.Namespace("/my-ns")` replaces it with any path. */
const DEFAULT_NAMESPACE = 'microservices';

/** go-kratos registry.ServiceInstance as its etcd registry marshals it. */
const KratosValue = z.object({
  id: z.string().nullish(),
  name: z.string().nullish(),
  version: z.string().nullish(),
  metadata: z.unknown().optional(),
  endpoints: z.array(z.string()),
});

/**
 * `<namespace>/<name>/<id>`. Under the default `/microservices` the key is enough; under any other
 * namespace the value must name the same service and id as the key, which is what kratos writes
 * and what no other format's value does. The address is the first endpoint that parses; all
 * endpoints go to metadata. Health stays undeclared: a scheme says what it speaks, not what to probe.
 */
function decodeKratos(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const [keyName, keyId] = segments.slice(-2);
  const value = readJsonObject(entry.value, KratosValue);
  if (segments.length < 3 || !keyName || !keyId || !value) return null;
  const defaultNamespace = segments.length === 3 && segments[0] === DEFAULT_NAMESPACE && entry.key.startsWith('/');
  if (!defaultNamespace && (value.name !== keyName || value.id !== keyId)) return null;
  const first = value.endpoints.map(parseEndpoint).find((endpoint) => endpoint !== undefined);
  if (!first) return null;
  const namespace = `/${segments.slice(0, -2).join('/')}`;
  return [
    {
      service: keyName,
      id: value.id || keyId,
      address: first.address,
      format: 'kratos',
      version: optionalText(value.version),
      metadata: {
        ...metadataOf(value.metadata),
        // metadataFrom skips undefined: the default namespace is not worth a metadata entry.
        ...metadataFrom([['endpoints', value.endpoints.join(',')], ['namespace', defaultNamespace ? undefined : namespace]]),
      },
    },
  ];
}

export const kratos: RegistryFormat = {
  id: 'kratos',
  framework: 'go-kratos (contrib/registry/etcd)',
  key: '`<namespace>/<name>/<id>`, namespace `/microservices` unless `etcd.Namespace(…)`',
  value: '`{"id","name","version","metadata","endpoints":["http://h:p","grpc://h:p"]}`',
  naming: 'service = the name segment; id = the kratos instance id; the namespace goes to metadata',
  decode: decodeKratos,
  demo: {
    prefix: (service) => `/microservices/${service}/`,
    carriesMetadata: true,
    write: ({ service, id, address, version, zone, metadata }) => ({
      key: `/microservices/${service}/${id}`,
      value: JSON.stringify({ id, name: service, version, metadata: { zone, ...metadata }, endpoints: [`http://${address}`] }),
    }),
  },
};
