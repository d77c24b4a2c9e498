import type { RawEntry, Registration } from '@/lib/model/registration';
import { isHostPort, keySegments, metadataFrom, valueText, weightOf } from './util';

/** The last key segment of an rpcx instance: `<network>@<host:port>`, e.g. `tcp@10.0.0.1:8972`. */
const ServiceAddress = /^([A-Za-z0-9]+)@(.+)$/;

/**
 * `<basePath>/<service>/<network>@<h:p>`, value a URL query string of the server's metadata.
 * The directory keys rpcx also writes (`<basePath>` = "rpcx_path", `<basePath>/<service>` = the name)
 * have no `@` segment and so are never claimed here.
 */
export function decodeRpcx(entry: RawEntry): Registration[] | null {
  const segments = keySegments(entry.key);
  const last = segments.at(-1) ?? '';
  const service = segments.at(-2);
  const match = ServiceAddress.exec(last);
  if (segments.length < 3 || !service || !match?.[1] || !match[2] || !isHostPort(match[2])) return null;
  const params = new URLSearchParams(valueText(entry.value));
  // rpcx clients drop servers whose metadata says state=inactive.
  const offline = params.get('state') === 'inactive';
  return [
    {
      service,
      id: last,
      address: match[2],
      format: 'rpcx',
      weight: weightOf(params.get('weight')),
      metadata: metadataFrom([['network', match[1]], ...params]),
      ...(offline && { offline }),
    },
  ];
}
