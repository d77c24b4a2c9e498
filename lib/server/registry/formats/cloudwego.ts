import { z } from 'zod';
import type { Format } from '@/lib/model/instance';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { Decoder } from './format';
import { isHostPort, metadataOf, readJsonObject, weightOf } from './util';

/** The instanceInfo both CloudWeGo registry-etcd modules marshal (hertz with sonic: map keys unsorted, no HTML escapes). */
const InstanceInfo = z.object({
  network: z.string().nullish(),
  address: z.string(),
  weight: z.number().nullish(),
  tags: z.unknown().optional(),
});

/** `<root>/registry-etcd/<svc>/<h:p>`, written without a leading "/"; tags become metadata. */
export function cloudWeGoDecoder(root: 'kitex' | 'hertz', format: Format): Decoder {
  const key = new RegExp(`^/?${root}/registry-etcd/([^/]+)/([^/]+)$`);
  return (entry: RawEntry): Registration[] | null => {
    const match = key.exec(entry.key);
    if (!match?.[1] || !match[2]) return null;
    const value = readJsonObject(entry.value, InstanceInfo);
    if (!value || !isHostPort(value.address)) return null;
    return [{ service: match[1], id: match[2], address: value.address, format, weight: weightOf(value.weight), metadata: metadataOf(value.tags) }];
  };
}
