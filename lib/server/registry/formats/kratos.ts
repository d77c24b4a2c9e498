import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import { metadataFrom, metadataOf, optionalText, parseEndpoint, readJsonObject } from './util';

const KratosKey = /^\/microservices\/([^/]+)\/([^/]+)$/;

/** go-kratos registry.ServiceInstance as its etcd registry marshals it. */
const KratosValue = z.object({
  id: z.string().nullish(),
  name: z.string().nullish(),
  version: z.string().nullish(),
  metadata: z.unknown().optional(),
  endpoints: z.array(z.string()).nullish(),
});

/**
 * `/microservices/<name>/<id>`. The address is the first endpoint that parses; all endpoints are kept
 * in metadata. Health stays undeclared: an endpoint's scheme says what it speaks, not what to probe.
 */
export function decodeKratos(entry: RawEntry): Registration[] | null {
  const key = KratosKey.exec(entry.key);
  const value = readJsonObject(entry.value, KratosValue);
  const endpoints = value?.endpoints ?? [];
  const first = endpoints.map(parseEndpoint).find((endpoint) => endpoint !== undefined);
  if (!key?.[1] || !key[2] || !value || !first) return null;
  return [
    {
      service: key[1],
      id: value.id || key[2],
      address: first.address,
      format: 'kratos',
      version: optionalText(value.version),
      metadata: { ...metadataOf(value.metadata), ...metadataFrom([['endpoints', endpoints.join(',')]]) },
    },
  ];
}
