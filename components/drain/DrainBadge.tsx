import type { DrainState } from '@/lib/model/drain';
import { DRAIN_STATE_EXPLANATIONS, DRAIN_STATE_LABELS } from '@/lib/client/drainForm';
import { DrainIcon } from './DrainIcon';

/** "Draining" / "Drained" / "Drained — no traffic data", with its own icon; the tooltip says what it means. */
export function DrainBadge({ state }: { state: DrainState }) {
  return (
    <span className={`badge badge--drain badge--${state}`} title={DRAIN_STATE_EXPLANATIONS[state]} data-drain-state={state}>
      <DrainIcon state={state} />
      {DRAIN_STATE_LABELS[state]}
    </span>
  );
}
