'use client';

import type { ReactNode } from 'react';
import type { Instance } from '@/lib/model/instance';
import { DRAIN_STATE_EXPLANATIONS, drainStateOf } from '@/lib/client/drainForm';
import { formatClockNear } from '@/lib/client/formatTime';
import { DrainAction } from './DrainAction';
import { DrainBadge } from './DrainBadge';
import { DrainNote } from './DrainNote';

/**
 * Drain state and the Drain/Undrain action for one instance, stacked for side panels. Pass the
 * instance from the live state; nothing else is needed. `compact` fits a narrow table cell: the
 * badge and the button, with who/why/until in the badge's tooltip and for screen readers.
 */
export function InstanceDrainControls({ instance, compact = false }: { instance: Instance; compact?: boolean }) {
  const state = drainStateOf(instance);
  const drain = instance.drain;
  if (compact) {
    const facts = drain ? `by ${drain.by}: “${drain.reason}”, ${drain.until ? `until ${formatClockNear(drain.until, Date.now())}` : 'until lifted'}` : '';
    return (
      <div className="drain-controls drain-controls--compact">
        {drain && state && (
          <span className="drain-controls__badge" title={`${facts}\n${DRAIN_STATE_EXPLANATIONS[state]}`}>
            <DrainBadge state={state} />
            <span className="visually-hidden">{facts}</span>
          </span>
        )}
        <DrainAction instance={instance} />
      </div>
    );
  }
  return (
    <div className={state ? 'drain-controls is-drained' : 'drain-controls'}>
      {drain && state && <DrainNote drain={drain} state={state} layout="stack" />}
      <DrainAction instance={instance} />
    </div>
  );
}

/** For the topology side panel's `drainControls` slot (components/topology/TopologyPanel.tsx). */
export const topologyDrainControls = (instance: Instance): ReactNode => <InstanceDrainControls instance={instance} compact />;
