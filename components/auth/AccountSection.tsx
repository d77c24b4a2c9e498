'use client';

import { useState, type FormEvent } from 'react';
import type { Me } from '@/lib/model/auth';
import { MIN_PASSWORD_LENGTH } from '@/lib/model/auth';
import { accessCall } from '@/lib/client/accessApi';
import { ROLE_MAY } from './RoleChangeDialog';

/** Who you are, changing your password (which signs you out everywhere), signing out everywhere. */
export function AccountSection({ me }: { me: Me }) {
  const [message, setMessage] = useState<{ tone: 'error' | 'ok'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await accessCall('POST', '/api/v1/auth/password', { currentPassword: String(form.get('current')), newPassword: String(form.get('next')) });
    setBusy(false);
    if (result.ok) window.location.assign('/login');
    else setMessage({ tone: 'error', text: result.message });
  };

  return (
    <section className="section" aria-labelledby="account-title">
      <h2 className="section__title" id="account-title">
        Your account
      </h2>
      <p className="section__intro">
        Signed in as <strong>{me.name}</strong> with role <span className={`role-badge role-badge--${me.role}`}>{me.role}</span>.{' '}
        {me.role === 'viewer' ? 'You can see everything; draining needs the operator role.' : `You can ${ROLE_MAY[me.role]}.`}
      </p>
      {message && (
        <p className={message.tone === 'error' ? 'form-alert form-alert--error' : 'form-alert'} role="alert">
          {message.text}
        </p>
      )}
      <form className="access__form" onSubmit={(event) => void onSubmit(event)}>
        <div className="field">
          <label className="field__label" htmlFor="pw-current">
            Current password
          </label>
          <input id="pw-current" name="current" type="password" className="field__input" autoComplete="current-password" required />
        </div>
        <div className="field">
          <label className="field__label" htmlFor="pw-next">
            New password
          </label>
          <input id="pw-next" name="next" type="password" className="field__input" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} required />
        </div>
        <button type="submit" className="button" disabled={busy}>
          Change password
        </button>
      </form>
      <p className="muted">Changing your password signs you out on every device.</p>
    </section>
  );
}
