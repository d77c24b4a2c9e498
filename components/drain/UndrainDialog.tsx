'use client';

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Instance } from '@/lib/model/instance';
import { undrainInstance, type DrainFailure } from '@/lib/client/drainApi';
import { drainStateOf } from '@/lib/client/drainForm';
import { DrainNote } from './DrainNote';
import { FailureBox } from './FailureBox';
import { Modal } from './Modal';

interface Props {
  instance: Instance;
  onClose: () => void;
  onUndrained: (message: string) => void;
}

/** Confirms lifting a drain: what it was, and that callers will send the instance traffic again. */
export function UndrainDialog({ instance, onClose, onUndrained }: Props) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<DrainFailure | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const state = drainStateOf(instance);

  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setFailure(null);
    const outcome = await undrainInstance(instance.service, instance.id);
    setBusy(false);
    if (outcome.ok) {
      onUndrained(`${instance.id} is back in rotation.`);
      onClose();
      return;
    }
    setFailure(outcome.failure);
  };

  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-intro`} onClose={onClose} busy={busy} initialFocus={confirmRef} className="modal--drain">
      <form className="modal__form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <div className="modal__header">
          <h2 className="modal__title" id={`${id}-title`}>
            Undrain <span className="mono">{instance.id}</span>?
          </h2>
          <button type="button" className="icon-button modal__close" aria-label="Close" onClick={onClose} disabled={busy}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="modal__body">
          <p className="modal__intro" id={`${id}-intro`}>
            Puts this instance of {instance.service} back in rotation: callers that honour drains start sending it calls again.
          </p>
          {instance.drain && state && (
            <div className="modal__current">
              <DrainNote drain={instance.drain} state={state} layout="stack" />
            </div>
          )}
          {failure && <FailureBox failure={failure} action="undrain" subject={instance.id} service={instance.service} busy={busy} boxRef={alertRef} />}
        </div>
        <div className="modal__footer">
          <p className="modal__keys">
            <kbd>Enter</kbd> undrains · <kbd>Esc</kbd> cancels
          </p>
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" ref={confirmRef} disabled={busy}>
            {busy ? 'Undraining…' : 'Undrain'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
