import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, metadataOf, readJsonObject, weightOf } from './util';

/** `kitex/registry-etcd/<svc>/<h:p>` or `hertz/registry-etcd/<svc>/<h:p>`, written without a leading "/". */
const CloudWeGoKey = /^\/?(kitex|hertz)\/registry-etcd\/([^/]+)\/([^/]+)$/;

/** The instanceInfo both registry-etcd modules marshal; hertz writes the same fields in another order. */
const CloudWeGoValue = z.object({
  network: z.string().nullish(),
  address: z.string(),
  weight: z.number().nullish(),
  tags: z.unknown().optional(),
});

/** CloudWeGo kitex (RPC) and hertz (HTTP) registrations; tags become metadata. */
export function decodeKitex(entry: RawEntry): Registration[] | null {
  const key = CloudWeGoKey.exec(entry.key);
  const value = readJsonObject(entry.value, CloudWeGoValue);
  if (!key?.[2] || !key[3] || !value || !isHostPort(value.address)) return null;
  return [
    {
      service: key[2],
      id: key[3],
      address: value.address,
      format: key[1] === 'hertz' ? 'hertz' : 'kitex',
      weight: weightOf(value.weight),
      metadata: metadataOf(value.tags),
    },
  ];
}
