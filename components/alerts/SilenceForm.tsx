'use client';

import { useState, type FormEvent } from 'react';
import { ALERT_NAMES } from '@/lib/model/alerts/rules';
import { MAX_SILENCE_REASON } from '@/lib/model/alerts/silences';
import { accessCall } from '@/lib/client/accessApi';

const DURATIONS = [
  { seconds: 3_600, label: '1 hour' },
  { seconds: 4 * 3_600, label: '4 hours' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/** Silences one service's alerts (or one of them) with a reason, for a while (operator). */
export function SilenceForm({ services, onDone }: { services: string[]; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const alertname = String(form.get('alertname') ?? '');
    setBusy(true);
    const result = await accessCall('POST', '/api/v1/alerts/silences', {
      service: String(form.get('service') ?? ''),
      ...(alertname ? { alertname } : {}),
      reason: String(form.get('reason') ?? ''),
      durationSeconds: Number(form.get('duration')),
    });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setError(null);
    formElement.reset();
    onDone();
  };
  return (
    <form className="access__form" onSubmit={(event) => void onSubmit(event)} aria-label="New silence">
      {error && (
        <p className="form-alert form-alert--error" role="alert">
          {error}
        </p>
      )}
      <div className="field">
        <label className="field__label" htmlFor="silence-service">
          Service
        </label>
        <input id="silence-service" name="service" className="field__input" list="silence-services" required maxLength={256} autoComplete="off" />
        <datalist id="silence-services">
          {services.map((service) => (
            <option key={service} value={service} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label className="field__label" htmlFor="silence-alert">
          Alert
        </label>
        <select id="silence-alert" name="alertname" className="field__input" defaultValue="">
          <option value="">every alert</option>
          {ALERT_NAMES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label className="field__label" htmlFor="silence-reason">
          Reason
        </label>
        <input id="silence-reason" name="reason" className="field__input" required maxLength={MAX_SILENCE_REASON} placeholder="planned maintenance" autoComplete="off" />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="silence-duration">
          For
        </label>
        <select id="silence-duration" name="duration" className="field__input" defaultValue={String(3_600)}>
          {DURATIONS.map((duration) => (
            <option key={duration.seconds} value={String(duration.seconds)}>
              {duration.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary" disabled={busy}>
        Silence
      </button>
    </form>
  );
}
