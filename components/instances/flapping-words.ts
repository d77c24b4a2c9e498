import type { Instance } from '@/lib/model/instance';
import { flappingOf } from '@/lib/model/status/flapping';
import { formatDuration } from '../history/format';

/** "api-gateway-1: 4 changes into and out of critical in 1 min 48 s" for each instance flapping at `nowMs` (`flappingOf`), in the given order. */
export function flappingClauses(instances: readonly Pick<Instance, 'id' | 'criticalChanges'>[], nowMs: number): string[] {
  const clauses: string[] = [];
  for (const instance of instances) {
    const flapping = flappingOf(instance.criticalChanges, nowMs);
    if (flapping) clauses.push(`${instance.id}: ${flapping.changes}${flapping.atLeast ? ' or more' : ''} changes into and out of critical in ${formatDuration(nowMs - Date.parse(flapping.since))}`);
  }
  return clauses;
}
