'use client';

import Link from 'next/link';
import { useState } from 'react';
import type { Me } from '@/lib/model/auth';

async function signOut(everywhere: boolean): Promise<void> {
  await fetch(`/api/v1/auth/logout${everywhere ? '?everywhere=1' : ''}`, { method: 'POST' }).catch(() => undefined);
  window.location.assign('/login');
}

/** The signed-in user and role, with Access and sign-out; a native <details> so it works from the keyboard. */
export function UserMenu({ me }: { me: Me }) {
  const [busy, setBusy] = useState(false);
  const run = (everywhere: boolean) => {
    setBusy(true);
    void signOut(everywhere);
  };
  return (
    <details className="user-menu">
      <summary className="user-menu__summary" aria-label={`Signed in as ${me.name}, role ${me.role}`}>
        <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
          <circle cx="6" cy="4" r="2.2" fill="none" stroke="currentColor" strokeWidth="1.3" />
          <path d="M1.8 11a4.2 4.2 0 0 1 8.4 0" fill="none" stroke="currentColor" strokeWidth="1.3" />
        </svg>
        <span className="user-menu__name truncate">{me.name}</span>
        <span className={`role-badge role-badge--${me.role}`}>{me.role}</span>
      </summary>
      <div className="user-menu__panel" role="group" aria-label="Account">
        <Link href="/access" className="user-menu__item">
          {me.role === 'admin' ? 'Access: users and tokens' : 'Your account'}
        </Link>
        <button type="button" className="user-menu__item" onClick={() => run(false)} disabled={busy}>
          Sign out
        </button>
        <button type="button" className="user-menu__item" onClick={() => run(true)} disabled={busy}>
          Sign out everywhere
        </button>
      </div>
    </details>
  );
}
