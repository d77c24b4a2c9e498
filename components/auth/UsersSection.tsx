'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD_LENGTH, type UserView } from '@/lib/model/auth';
import { ROLES, RoleSchema, type Role } from '@/lib/model/roles';
import { accessCall, type AccessResult } from '@/lib/client/accessApi';
import { ClientTime } from '@/components/ui/ClientTime';
import { RoleChangeDialog } from './RoleChangeDialog';
import { RoleSelect } from './RoleSelect';

const userUrl = (name: string) => `/api/v1/users/${encodeURIComponent(name)}`;

/** Local and single-sign-on users: create, change role, disable, end sessions, delete. */
export function UsersSection({ users, self }: { users: UserView[]; self: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A role picked in a row waits here until the admin confirms it.
  const [roleChange, setRoleChange] = useState<{ user: UserView; to: Role } | null>(null);

  const act = async (call: Promise<AccessResult>, after?: () => void) => {
    setBusy(true);
    const result = await call;
    setBusy(false);
    setError(result.ok ? null : result.message);
    if (result.ok) {
      after?.();
      router.refresh();
    }
  };

  const onCreate = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    void act(accessCall('POST', '/api/v1/users', { name: String(form.get('name')), role: String(form.get('role')), password: String(form.get('password')) }), () => formElement.reset());
  };

  return (
    <section className="section" aria-labelledby="users-title">
      <h2 className="section__title" id="users-title">
        Users
      </h2>
      {error && (
        <p className="form-alert form-alert--error" role="alert">
          {error}
        </p>
      )}
      <form className="access__form" onSubmit={onCreate} aria-label="New user">
        <div className="field">
          <label className="field__label" htmlFor="user-name">
            User name
          </label>
          <input id="user-name" name="name" className="field__input" required maxLength={64} spellCheck={false} autoComplete="off" />
        </div>
        <RoleSelect id="user-role" defaultRole="viewer" />
        <div className="field">
          <label className="field__label" htmlFor="user-password">
            Password <span className="field__optional">(≥ {MIN_PASSWORD_LENGTH} characters)</span>
          </label>
          <input id="user-password" name="password" type="password" className="field__input" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Add user
        </button>
      </form>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col" className="col-role">
              Role
            </th>
            <th scope="col" className="col-source">
              Sign-in
            </th>
            <th scope="col">Last sign-in</th>
            <th scope="col">State</th>
            <th scope="col" className="col-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.name}>
              {/* A cell, not a block (`.truncate`), so its words sit on the row's middle; the table's cells cut with an ellipsis anyway. */}
              <td title={user.name}>
                {user.name}
                {user.name === self && <span className="muted"> (you)</span>}
              </td>
              <td>
                <span className="access__label" aria-hidden="true">role </span>
                <span className="select select--small">
                <select
                  aria-label={`Role of ${user.name}`}
                  value={user.role}
                  disabled={busy}
                  onChange={(event) => setRoleChange({ user, to: RoleSchema.parse(event.target.value) })}
                >
                  {ROLES.map((role) => (
                    <option key={role}>{role}</option>
                  ))}
                </select>
                </span>
              </td>
              <td>
                <span className="access__label" aria-hidden="true">sign-in </span>
                {user.source === 'oidc' ? 'Single sign-on' : 'Password'}
              </td>
              <td className="access__time">
                <span className="access__label" aria-hidden="true">last sign-in </span>
                {user.lastLoginAt ? <ClientTime at={Date.parse(user.lastLoginAt)} /> : <span className="muted">never</span>}
              </td>
              <td className="access__state">
                {user.disabled ? (
                  'Disabled'
                ) : user.lockedUntil ? (
                  <>
                    <span title="Five failed sign-ins in a row">
                      Locked until <ClientTime at={Date.parse(user.lockedUntil)} />
                    </span>{' '}
                    <button
                      type="button"
                      className="button button--small"
                      disabled={busy}
                      onClick={() => void act(accessCall('DELETE', `/api/v1/auth/lockouts?${new URLSearchParams({ user: user.name })}`))}
                    >
                      Unlock
                    </button>
                  </>
                ) : (
                  'Active'
                )}
              </td>
              <td className="access__actions">
                <button type="button" className="button button--small" disabled={busy} onClick={() => void act(accessCall('PATCH', userUrl(user.name), { disabled: !user.disabled }))}>
                  {user.disabled ? 'Enable' : 'Disable'}
                </button>{' '}
                <button type="button" className="button button--small" disabled={busy} onClick={() => void act(accessCall('DELETE', `${userUrl(user.name)}/sessions`))}>
                  End sessions
                </button>{' '}
                <button
                  type="button"
                  className="button button--small button--danger"
                  disabled={busy || user.name === self}
                  onClick={() => {
                    if (window.confirm(`Delete user ${user.name}?`)) void act(accessCall('DELETE', userUrl(user.name)));
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {roleChange && (
        <RoleChangeDialog
          user={roleChange.user.name}
          from={roleChange.user.role}
          to={roleChange.to}
          self={roleChange.user.name === self}
          onClose={() => setRoleChange(null)}
          onConfirm={() => {
            const { user, to } = roleChange;
            setRoleChange(null);
            void act(accessCall('PATCH', userUrl(user.name), { role: to }));
          }}
        />
      )}
    </section>
  );
}
