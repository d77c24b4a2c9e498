'use client';

import { useState } from 'react';
import type { Instance } from '@/lib/model/instance';
import { dismissLost } from '@/lib/client/lostApi';
import { STAND_IN_WORDS, standInKind } from '@/lib/model/status/lost';
import { useHasRole } from '@/components/shell/MeProvider';

/** What a stand-in is, in the words of its tag: an instance still serving out of discovery is not "lost". */
const standInWords = (instance: Pick<Instance, 'lost'>): string => STAND_IN_WORDS[instance.lost ? standInKind(instance.lost) : 'lost'];

/** The status line once dismissed: "Dismissed payments-2 (out of discovery)". */
export const dismissedMessage = (instance: Pick<Instance, 'id' | 'lost'>): string => `Dismissed ${instance.id} (${standInWords(instance)})`;

/**
 * "Dismiss" on a stand-in, lost or out of discovery (operators): asks once, then removes it from every list; history
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
    setMessage(result.ok ? dismissedMessage(instance) : `Could not dismiss ${instance.id}: ${result.failure.message}`);
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
          title={`Stop showing this instance, ${standInWords(instance)} (recorded in history with your name)`}
          onClick={() => setConfirming(true)}
        >
          Dismiss<span className="visually-hidden"> {instance.id}, {standInWords(instance)}</span>
        </button>
      )}
      <span className={message.startsWith('Could not') ? 'dismiss-lost__error' : 'visually-hidden'} role="status">
        {message}
      </span>
    </span>
  );
}
