'use client';

import type { Drain } from '@/lib/model/instance';
import type { DrainState } from '@/lib/model/drain';
import { DRAIN_STATE_EXPLANATIONS } from '@/lib/client/drainForm';
import { ClientTime } from '../ui/ClientTime';
import { DrainBadge } from './DrainBadge';
import { DrainUntil } from './DrainUntil';
import { InfoTip } from './InfoTip';

/**
 * What a drain is: its state badge, who, why, until when, since when. `layout="line"` fits one
 * table row (the reason truncates, its full text on hover); `layout="stack"` suits a side panel.
 */
export function DrainNote({ drain, state, layout = 'line' }: { drain: Drain; state: DrainState; layout?: 'line' | 'stack' }) {
  return (
    <span className={`drain-note drain-note--${layout}`}>
      <span className="drain-note__state">
        <DrainBadge state={state} />
        {state === 'no-traffic-data' && <InfoTip label="Why no traffic data?">{DRAIN_STATE_EXPLANATIONS[state]}</InfoTip>}
      </span>
      <span className="drain-note__by">
        by <strong>{drain.by}</strong>
      </span>
      <q className="drain-note__reason" title={drain.reason}>
        {drain.reason}
      </q>
      <span className="drain-note__until">
        <DrainUntil until={drain.until} />
      </span>
      <span className="drain-note__since muted">
        since <ClientTime at={drain.at} fallback="…" />
      </span>
    </span>
  );
}
