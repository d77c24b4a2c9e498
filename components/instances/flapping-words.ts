import type { Instance } from '@/lib/model/instance';
import { flapClause, flappingOf, flappingUntilMs, type Flapping } from '@/lib/model/status/flapping';
import { formatDuration } from '@/lib/model/duration';

/** Flapping instances the note names; the rest it counts, so a fleet-wide flap stays one line. */
export const FLAP_NAMED = 3;

/**
 * A service page's flapping note for the instances flapping at `nowMs` (`flappingOf`), null when
 * none: "api-gateway-1: 4 changes into and out of critical in 1 min 48 s. Its recoveries have not
 * held." — at most FLAP_NAMED named, in the given order; while only some fail again, which (named
 * even when the list only counts them); once every one passes again, how long that has held since
 * the last change and how much longer it counts as flapping if that holds.
 */
export function flappingNote(instances: readonly Pick<Instance, 'id' | 'status' | 'criticalChangesMs'>[], nowMs: number): string | null {
  const flapping: { id: string; flapping: Flapping; passing: boolean; untilMs: number }[] = [];
  for (const instance of instances) {
    const found = flappingOf(instance.criticalChangesMs, nowMs);
    if (found) flapping.push({ id: instance.id, flapping: found, passing: instance.status === 'passing', untilMs: flappingUntilMs(instance.criticalChangesMs) ?? nowMs });
  }
  if (flapping.length === 0) return null;
  const named = flapping
    .slice(0, FLAP_NAMED)
    .map(({ id, flapping }) => flapClause(id, flapping, nowMs));
  const more = flapping.length - named.length;
  const list = more > 0 ? `${named.join('; ')}; and ${more} more ${more === 1 ? 'instance' : 'instances'}` : named.join('; ');
  const one = flapping.length === 1;
  const failing = flapping.filter((instance) => !instance.passing);
  if (failing.length === flapping.length) return `${list}. ${one ? 'Its' : 'Their'} recoveries have not held.`;
  // Said of the ones it is true of: a failing one may be among those only counted.
  if (failing.length > 0) {
    const failingMore = failing.length - FLAP_NAMED;
    const whose = [...failing.slice(0, FLAP_NAMED).map(({ id }) => id), ...(failingMore > 0 ? [`${failingMore} more`] : [])];
    const last = whose.pop() ?? '';
    const passing = flapping.length - failing.length;
    return `${list}. The recoveries of ${whose.length > 0 ? `${whose.join(', ')} and ` : ''}${last} have not held; ${passing === 1 ? 'the other passes again' : 'the others pass again'}.`;
  }
  const heldMs = nowMs - Math.max(...flapping.map((instance) => instance.flapping.last));
  // Under a second reads "0 ms" in formatDuration: the probe that passed is that moment's.
  const held = heldMs < 1_000 ? 'just now' : `for ${formatDuration(heldMs)} since ${one ? 'its' : 'the'} last change`;
  // Not "until it holds 10 min": a flap ends when its third newest change leaves the window (flappingUntilMs), sooner.
  const leftMs = Math.max(...flapping.map((instance) => instance.untilMs)) - nowMs;
  return `${list}. ${one ? 'Passing again' : 'All passing again'} ${held}; flapping for ${formatDuration(Math.max(leftMs, 1_000))} more if ${one ? 'it holds' : 'they hold'}.`;
}
