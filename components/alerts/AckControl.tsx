'use client';

import { useRef, useState, type FormEvent } from 'react';
import type { AlertView } from '@/lib/model/alerts/engine';
import { MAX_ACK_REASON } from '@/lib/model/alerts/acks';
import { accessCall } from '@/lib/client/accessApi';
import { enterAcknowledges } from './ack-keys';

/** Acknowledge a firing alert with an optional reason, or withdraw the acknowledgement (operator). */
export function AckControl({ alert, onDone }: { alert: AlertView; onDone: (error: string | null) => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  // Set at once, not at the next render: Enter held down (key repeat) submits again before `busy` disables the button.
  const posting = useRef(false);
  const ack = alert.acknowledged;
  const withdraw = async (id: string): Promise<void> => {
    setBusy(true);
    const result = await accessCall('DELETE', `/api/v1/alerts/acks/${encodeURIComponent(id)}`);
    setBusy(false);
    onDone(result.ok ? null : result.message);
  };
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    // requestSubmit() submits with the Acknowledge button disabled: a second POST answered 409, shown as an error after the ack worked.
    if (posting.current) return;
    posting.current = true;
    const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
    setBusy(true);
    const result = await accessCall('POST', '/api/v1/alerts/acks', { alertname: alert.labels.alertname, service: alert.labels.service, severity: alert.labels.severity, ...(reason ? { reason } : {}) });
    posting.current = false;
    setBusy(false);
    if (result.ok) setOpen(false);
    onDone(result.ok ? null : result.message);
  };
  if (ack) {
    return (
      <button type="button" className="button button--small" disabled={busy} onClick={() => void withdraw(ack.id)}>
        Unacknowledge
      </button>
    );
  }
  if (!open) {
    return (
      <button type="button" className="button button--small" onClick={() => setOpen(true)} aria-label={`Acknowledge ${alert.labels.alertname} ${alert.labels.service}`}>
        Acknowledge
      </button>
    );
  }
  return (
    <form className="ack-form" onSubmit={(event) => void submit(event)} aria-label={`Acknowledge ${alert.labels.alertname} ${alert.labels.service}`}>
      {/* Lines that wrap in the cell, grown with the note, so what is typed is read whole; Enter acknowledges, as an input's did. */}
      <textarea
        name="reason"
        className="field__input"
        rows={1}
        aria-label="Reason (optional)"
        placeholder="reason (optional)"
        maxLength={MAX_ACK_REASON}
        autoComplete="off"
        autoFocus
        onKeyDown={(event) => {
          const { key, shiftKey, nativeEvent } = event;
          if (!enterAcknowledges({ key, shiftKey, isComposing: nativeEvent.isComposing, keyCode: nativeEvent.keyCode })) return;
          event.preventDefault();
          event.currentTarget.form?.requestSubmit();
        }}
      />
      <button type="submit" className="button button--small button--primary" disabled={busy}>
        Acknowledge
      </button>
      <button type="button" className="button button--small" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
