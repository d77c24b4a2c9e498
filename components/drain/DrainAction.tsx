'use client';

import { useId, useState } from 'react';
import type { Instance } from '@/lib/model/instance';
import { useHasRole } from '@/components/shell/MeProvider';
import { DrainDialog } from './DrainDialog';
import { UndrainDialog } from './UndrainDialog';
import { useDrainBlocked } from './useDrainBlocked';
import { useServiceInstances } from './useServiceInstances';

/**
 * "Drain…" on an instance in rotation, "Undrain…" on a drained one; each opens its dialog. What
 * happened is announced politely; the change itself shows up through the live state. Viewers get
 * neither: draining needs the operator role. While etcd is unreachable (or the connection lost)
 * the button is disabled and says why.
 */
export function DrainAction({ instance, compact = false }: { instance: Instance; compact?: boolean }) {
  // Which dialog, fixed when it opens: the live state may flip `drain` while it is open.
  const [open, setOpen] = useState<'drain' | 'undrain' | null>(null);
  const [message, setMessage] = useState('');
  const drained = instance.drain !== null;
  const mayDrain = useHasRole('operator');
  const blocked = useDrainBlocked();
  const reasonId = useId();
  if (!mayDrain) return null;
  return (
    <>
      <button
        type="button"
        className={`button button--small ${drained ? 'drain-action drain-action--undrain' : 'drain-action'}${compact ? ' button--compact' : ''}`}
        aria-haspopup="dialog"
        disabled={blocked !== null}
        title={blocked ?? undefined}
        aria-describedby={blocked !== null ? reasonId : undefined}
        onClick={() => {
          setMessage('');
          setOpen(drained ? 'undrain' : 'drain');
        }}
      >
        {drained ? 'Undrain' : 'Drain'}
        <span className="visually-hidden"> {instance.id}</span>
      </button>
      {blocked !== null && (
        <span className="visually-hidden" id={reasonId}>
          {blocked}
        </span>
      )}
      <span className="visually-hidden" role="status">
        {message}
      </span>
      {open === 'undrain' && <UndrainDialog instance={instance} onClose={() => setOpen(null)} onUndrained={setMessage} />}
      {open === 'drain' && (
        <LiveDrainDialog instance={instance} onClose={() => setOpen(null)} onDrained={setMessage} />
      )}
    </>
  );
}

/** Subscribes to the service's live instances only while the dialog is open (rows stay cheap). */
function LiveDrainDialog({ instance, onClose, onDrained }: { instance: Instance; onClose: () => void; onDrained: (message: string) => void }) {
  const instances = useServiceInstances(instance.service);
  return <DrainDialog target={{ kind: 'instance', instance }} instances={instances} onClose={onClose} onDrained={onDrained} />;
}
