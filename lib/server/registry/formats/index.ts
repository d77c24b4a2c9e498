import type { Format } from '@/lib/model/instance';
import { dubbo } from './dubbo';
import { dubboApp } from './dubbo-app';
import type { RegistryFormat } from './format';
import { generic } from './generic';
import { goFrame } from './goframe';
import { goMicro } from './go-micro';
import { goZero } from './go-zero';
import { grpcGo } from './grpc-go';
import { hertz } from './hertz';
import { jupiter } from './jupiter';
import { kitex } from './kitex';
import { kratos } from './kratos';
import { native } from './native';
import { plain } from './plain';
import { rpcx } from './rpcx';

/**
 * Every format Switchyard recognises, in decoding order: first match wins, so the order goes from
 * the most specific shape to the loosest. Shapes that could be mistaken for one another:
 * - native and dubbo-app share `/services/<a>/<b>`: told apart by the value (`address` vs `ServiceName`);
 * - jupiter comes before dubbo (both have `/providers/`) and before grpc-go (since v0.10 its value
 *   is a naming update with `Addr`, under a key whose target is not a service name);
 * - goframe comes before plain and generic, which would name its services after the version segment;
 * - go-zero (last segment the lease id), plain (last segment the address) and generic (any
 *   address) come last.
 */
export const REGISTRY_FORMATS: readonly RegistryFormat[] = [
  native,
  dubboApp,
  kratos,
  goMicro,
  kitex,
  hertz,
  jupiter,
  dubbo,
  goFrame,
  rpcx,
  grpcGo,
  goZero,
  plain,
  generic,
];

const byId = new Map<Format, RegistryFormat>(REGISTRY_FORMATS.map((format) => [format.id, format]));

export function registryFormat(id: Format): RegistryFormat {
  const format = byId.get(id);
  // FORMATS and REGISTRY_FORMATS are checked equal by a test; this guards a build that skipped it.
  if (!format) throw new Error(`no registry format ${id}`);
  return format;
}
