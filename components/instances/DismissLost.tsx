'use client';

import { useState } from 'react';
import type { Instance } from '@/lib/model/instance';
import { dismissLost } from '@/lib/client/lostApi';
import { useHasRole } from '@/components/shell/MeProvider';

/**
 * "Dismiss" on a lost instance (operators): asks once, then removes it from every list; history
 * records who dismissed it. Until then it stays listed as critical for the retention.
 */
export function DismissLost({ instance, compact = false }: { instance: Instance; compact?: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState('');
  const mayDismiss = useHasRole('operator');
  if (!mayDismiss) return null;
  const dismiss = async () => {
    setConfirming(false);
    const result = await dismissLost(instance.service, instance.id);
    setMessage(result.ok ? `Dismissed lost instance ${instance.id}` : `Could not dismiss ${instance.id}: ${result.failure.message}`);
  };
  return (
    <span className="dismiss-lost">
      {confirming ? (
        <>
          <button type="button" className={`button button--small button--danger${compact ? ' button--compact' : ''}`} onClick={() => void dismiss()}>
            Confirm dismiss<span className="visually-hidden"> {instance.id}</span>
          </button>
          <button type="button" className={`button button--small button--quiet${compact ? ' button--compact' : ''}`} onClick={() => setConfirming(false)}>
            Keep
          </button>
        </>
      ) : (
        <button
          type="button"
          className={`button button--small${compact ? ' button--compact' : ''}`}
          title="Stop showing this lost instance (recorded in history with your name)"
          onClick={() => setConfirming(true)}
        >
          Dismiss<span className="visually-hidden"> lost instance {instance.id}</span>
        </button>
      )}
      <span className={message.startsWith('Could not') ? 'dismiss-lost__error' : 'visually-hidden'} role="status">
        {message}
      </span>
    </span>
  );
}
