import type { MalformedPoint } from '@/lib/model/otlp/observations';
import { printable } from '@/lib/model/printable';

/** A service name in the tile's hint: up to 64 characters (names may run to 4,096), escaped. */
const MAX_NAME_SHOWN = 64;
const shown = (name: string): string => printable(name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}…` : name);

/** The hint of the tile counting histogram points refused for their buckets: what is refused, and the last one's service, metric and reason. */
export function malformedHistogramsHint({ last }: { points: number; last?: MalformedPoint }): string {
  const what =
    'OTLP histogram points refused since start because their buckets cannot be read: bounds that are not strictly increasing finite numbers, bucket counts not one more than the bounds, or a count below zero. The sender is told why (partial_success)';
  return last ? `${what}. Last: ${shown(last.service)}, ${shown(last.metric)}: ${last.reason}` : what;
}
