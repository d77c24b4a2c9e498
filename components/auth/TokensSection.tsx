'use client';

import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { z } from 'zod';
import type { TokenView } from '@/lib/model/auth';
import type { Role } from '@/lib/model/roles';
import { accessCall } from '@/lib/client/accessApi';
import { ClientTime } from '@/components/ui/ClientTime';
import { RoleSelect } from './RoleSelect';
import { CopyButton } from '../ui/CopyButton';
import { serverNow } from '@/lib/client/serverClock';

const CreatedSchema = z.object({ name: z.string(), token: z.string() });

/**
 * What a token of each role may do, said beside the choice. The default is the least a fleet's
 * reporters need: ingest and OTLP take a token of any role, so an operator default (which may drain)
 * gave every reporter's token powers it never used.
 */
const REPORTER_ROLE: Role = 'viewer';
const TOKEN_ROLE_POWERS: readonly { role: Role; may: string }[] = [
  { role: 'viewer', may: 'reads everything and may report calls (ingest, OTLP) and list Prometheus targets: all a fleet’s reporters need.' },
  { role: 'operator', may: 'may also drain and undrain, acknowledge and silence alerts, and dismiss lost instances: a deploy pipeline, the switchyard CLI.' },
  { role: 'admin', may: 'may also manage users and tokens, and cannot be scoped to a service.' },
];

/** API tokens for pipelines and reporters: created with a role and optional service scope, shown once, revocable. */
export function TokensSection({ tokens, services }: { tokens: TokenView[]; services: string[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const onCreate = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const service = String(form.get('service') ?? '');
    const days = Number(form.get('days') ?? 0);
    setBusy(true);
    const result = await accessCall('POST', '/api/v1/tokens', {
      name: String(form.get('name')),
      role: String(form.get('role')),
      ...(service ? { service } : {}),
      ...(days > 0 ? { expiresInDays: days } : {}),
    });
    setBusy(false);
    if (!result.ok) return setError(result.message);
    setError(null);
    const parsed = CreatedSchema.safeParse(result.body);
    setCreated(parsed.success ? parsed.data : null);
    formElement.reset();
    router.refresh();
  };

  const revoke = async (token: TokenView) => {
    if (!window.confirm(`Revoke token ${token.name}? Whatever uses it stops working at once.`)) return;
    setBusy(true);
    const result = await accessCall('DELETE', `/api/v1/tokens/${encodeURIComponent(token.id)}`);
    setBusy(false);
    setError(result.ok ? null : result.message);
    router.refresh();
  };

  return (
    <section className="section" aria-labelledby="tokens-title">
      <h2 className="section__title" id="tokens-title">
        API tokens
      </h2>
      <p className="section__intro">
        For deploy pipelines, the <code>switchyard</code> CLI and services reporting calls: send as <code>Authorization: Bearer &lt;token&gt;</code>. A token
        scoped to a service may change (drain, report calls for) only that service; an admin token cannot be scoped, since users and tokens belong to no service.
      </p>
      {error && (
        <p className="form-alert form-alert--error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="secret-once" role="status">
          <strong>Token {created.name} — copy it now, it is not shown again:</strong>
          <span className="secret-once__value">
            <code className="mono" data-testid="new-token">
              {created.token}
            </code>
            <CopyButton text={created.token} label={`token ${created.name}`} />
          </span>
        </div>
      )}
      <form className="access__form" onSubmit={(event) => void onCreate(event)} aria-label="New token">
        <div className="field">
          <label className="field__label" htmlFor="token-name">
            Name
          </label>
          <input id="token-name" name="name" className="field__input" required maxLength={64} placeholder="deploy-pipeline" autoComplete="off" />
        </div>
        <RoleSelect id="token-role" defaultRole={REPORTER_ROLE} describedBy="token-role-powers" />
        <div className="field">
          <label className="field__label" htmlFor="token-service">
            Service scope <span className="field__optional">(optional)</span>
          </label>
          <input id="token-service" name="service" className="field__input" list="token-services" maxLength={256} placeholder="any service" autoComplete="off" />
          <datalist id="token-services">
            {services.map((service) => (
              <option key={service} value={service} />
            ))}
          </datalist>
        </div>
        <div className="field">
          <label className="field__label" htmlFor="token-days">
            Expires in days <span className="field__optional">(optional)</span>
          </label>
          <input id="token-days" name="days" type="number" min={1} max={3650} className="field__input field__input--number" placeholder="never" />
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          Create token
        </button>
        <p className="field__help access__form-note" id="token-role-powers">
          {TOKEN_ROLE_POWERS.map(({ role, may }, index) => (
            <span key={role}>
              {index > 0 && ' '}
              <strong>{role}</strong> {may}
            </span>
          ))}
        </p>
      </form>
      {tokens.length === 0 ? (
        <p className="muted">No tokens yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="col-token-role">
                Role
              </th>
              <th scope="col">Service</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col" className="col-revoke">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => {
              const expired = token.expiresAt !== null && Date.parse(token.expiresAt) <= serverNow();
              return (
                <tr key={token.id}>
                  {/* Cells, not blocks (`.truncate`), so their words sit on the row's middle; the table's cells cut with an ellipsis anyway. */}
                  <td title={token.name}>
                    {token.name}
                  </td>
                  <td>
                    <span className="access__label" aria-hidden="true">role </span>
                    {token.role}
                  </td>
                  <td title={token.service ?? 'any service'}>
                    <span className="access__label" aria-hidden="true">service </span>
                    {token.service ?? <span className="muted">any</span>}
                  </td>
                  <td className="access__time" title={`by ${token.createdBy}`}>
                    <span className="access__label" aria-hidden="true">created </span>
                    <ClientTime at={Date.parse(token.createdAt)} />
                  </td>
                  <td className="access__time">
                    <span className="access__label" aria-hidden="true">last used </span>
                    {token.lastUsedAt ? <ClientTime at={Date.parse(token.lastUsedAt)} /> : <span className="muted">never</span>}
                  </td>
                  <td className="access__state">{token.revokedAt ? 'Revoked' : expired ? 'Expired' : token.expiresAt ? <>Active, expires <ClientTime at={Date.parse(token.expiresAt)} /></> : 'Active'}</td>
                  <td className="access__actions">
                    {!token.revokedAt && (
                      <button type="button" className="button button--small button--danger" disabled={busy} onClick={() => void revoke(token)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
