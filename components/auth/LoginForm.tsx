'use client';

import { useRef, useState, type FormEvent } from 'react';
import { accessCall } from '@/lib/client/accessApi';

/** User name and password; a refusal is said in words (and focused) without clearing the name. */
export function LoginForm({ next, initialError }: { next: string; initialError: string | null }) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await accessCall('POST', '/api/v1/auth/login', { username: String(form.get('username') ?? ''), password: String(form.get('password') ?? '') });
    if (result.ok) {
      // A full load: the console's layout renders the live state for the new session.
      window.location.assign(next);
      return;
    }
    setError(result.message);
    setBusy(false);
    if (passwordRef.current) {
      passwordRef.current.value = '';
      passwordRef.current.focus();
    }
  };

  return (
    <form className="login__form" onSubmit={(event) => void onSubmit(event)} aria-describedby={error ? 'login-error' : undefined}>
      {error && (
        <p className="form-alert form-alert--error" id="login-error" role="alert">
          {error}
        </p>
      )}
      <div className="field">
        <label className="field__label" htmlFor="login-username">
          User name
        </label>
        <input id="login-username" name="username" className="field__input" autoComplete="username" autoFocus required spellCheck={false} maxLength={64} />
      </div>
      <div className="field">
        <label className="field__label" htmlFor="login-password">
          Password
        </label>
        <input id="login-password" name="password" ref={passwordRef} type="password" className="field__input" autoComplete="current-password" required maxLength={256} />
      </div>
      <button type="submit" className="button button--primary login__submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
