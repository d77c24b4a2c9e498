import { FLAP_MIN_CHANGES, FLAP_WINDOW_MS } from '@/lib/model/status/flapping';

/** What "flapping" means, in the same words wherever it is marked (services list, instance table, map). */
export const FLAPPING_MEANING = `Flapping: failing and recovering again and again (${FLAP_MIN_CHANGES} or more changes into or out of critical within ${FLAP_WINDOW_MS / 60_000} min)`;

/**
 * "flapping" beside a status (services list, instance table): green between failures is no recovery
 * that holds. `more` ends its title: where the reader finds which instance, or how many changes.
 */
export function FlappingMark({ more }: { more: string }) {
  return (
    <span className="flapping-mark" title={`${FLAPPING_MEANING}. ${more}`}>
      flapping
    </span>
  );
}
