'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AlertView } from '@/lib/model/alerts/engine';
import type { AlertsSnapshot } from '@/lib/model/alerts/snapshot';
import { accessCall } from '@/lib/client/accessApi';
import { ClientTime } from '@/components/ui/ClientTime';
import { useHasRole } from '@/components/shell/MeProvider';
import { AckControl } from './AckControl';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import type { LikelyCause } from '@/lib/model/topology/likely-cause';
import { AlertsOrigin } from './AlertsOrigin';
import { SilenceForm } from './SilenceForm';
import { resolvedNote, resolvedOnNote, silencedNote, statusNowNote } from './notes';
import { useLive } from '@/components/live/LiveProvider';

/** The page reloads its data this often (the server evaluates every few seconds). */
const REFRESH_MS = 5_000;

type Note = (alert: AlertView) => string | null;

/** Who is on it: "Acknowledged by ops, failing over, 14:03:12 (2 min ago)". */
function Acknowledged({ alert }: { alert: AlertView }) {
  const ack = alert.acknowledged;
  if (!ack) return null;
  return (
    <div className="alert-ack">
      Acknowledged by {ack.by}
      {ack.reason !== undefined && `, ${ack.reason}`}, <ClientTime at={ack.at} />
    </div>
  );
}

/**
 * A card's name for its field (below 1024 px the tables are cards and their headers are out of
 * sight): what the column header says, hidden from screen readers, which still have the header.
 */
function CardLabel({ children }: { children: string }) {
  return (
    <span className="alerts-table__label" aria-hidden="true">
      {children}{' '}
    </span>
  );
}

/** `timeHeader`: what the time column holds — when it began ("Since"), or when it ended ("Resolved", the resolved list's). */
function AlertTable({ alerts, label, note, actions, timeHeader }: { alerts: AlertView[]; label: string; note: Note; actions?: ((alert: AlertView) => ReactNode) | undefined; timeHeader: string }) {
  const local = useLocalTimes();
  return (
    <table className="table alerts-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col" className="alerts-table__alert">
            Alert
          </th>
          <th scope="col" className="alerts-table__service">
            Service
          </th>
          <th scope="col" className="alerts-table__severity">
            Severity
          </th>
          <th scope="col" className="alerts-table__since">
            {timeHeader}
          </th>
          <th scope="col" className="alerts-table__why">
            Why
          </th>
          {actions && (
            <th scope="col" className="alerts-table__actions">
              <span className="visually-hidden">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => {
          const extra = note(alert);
          return (
            <tr key={`${alert.key}|${alert.activeSince}`} data-alert={alert.labels.alertname} data-service={alert.labels.service} data-acknowledged={alert.acknowledged ? 'true' : undefined}>
              <td className="alert-name">
                <CardLabel>Alert</CardLabel>
                {alert.labels.alertname}
                {alert.acknowledged && <span className="badge badge--ack">acknowledged</span>}
              </td>
              <td title={alert.labels.service}>
                <CardLabel>Service</CardLabel>
                <Link href={alert.path}>{alert.labels.service}</Link>
              </td>
              <td>
                <CardLabel>Severity</CardLabel>
                {/* A label, not a status badge: drawn as one, a resolved alert's "Critical" read as its service's status now. */}
                <span className={`severity severity--${alert.labels.severity}`}>{alert.labels.severity}</span>
              </td>
              <td>
                <CardLabel>{timeHeader}</CardLabel>
                <ClientTime at={alert.resolvedAt ?? alert.activeSince} />
              </td>
              <td className="alert-why">
                <CardLabel>Why</CardLabel>
                {local(alert.description, alert.resolvedAt ?? alert.activeSince)}
                {extra && <span className="muted"> — {extra}</span>}
                <Acknowledged alert={alert} />
              </td>
              {actions && <td className="alert-actions">{actions(alert)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * A section of the page. Empty (`count` 0), it is one line — its title, its count and `empty` —
 * so what is firing and pending is never pushed below the fold by boxes saying "nothing".
 */
function Section({
  id,
  title,
  count,
  showCount = true,
  intro,
  keepIntro = false,
  empty,
  children,
}: {
  id: string;
  title: string;
  count?: number;
  showCount?: boolean;
  intro?: string;
  /** Keep the intro when empty (it explains the form under it). */
  keepIntro?: boolean;
  empty?: string;
  children?: ReactNode;
}) {
  const isEmpty = count === 0 && empty !== undefined;
  return (
    <section className={isEmpty ? 'section section--empty' : 'section'} aria-labelledby={id} data-empty={isEmpty ? 'true' : undefined}>
      <h2 className="section__title" id={id}>
        {count === undefined || !showCount ? title : `${title} (${count})`}
        {isEmpty && <span className="section__empty"> — {empty}</span>}
      </h2>
      {(!isEmpty || keepIntro) && intro && <p className="section__intro">{intro}</p>}
      {children}
    </section>
  );
}

function AlertSection({ id, title, intro, alerts, empty, note, actions, timeHeader = 'Since' }: { id: string; title: string; intro?: string; alerts: AlertView[]; empty: string; note: Note; actions?: (alert: AlertView) => ReactNode; timeHeader?: string }) {
  return (
    <Section id={id} title={title} count={alerts.length} empty={empty} {...(intro !== undefined ? { intro } : {})}>
      {alerts.length > 0 && <AlertTable alerts={alerts} label={title} note={note} actions={actions} timeHeader={timeHeader} />}
    </Section>
  );
}

/**
 * Where the failure probably starts (`cause`, whenever the map says it, alerting or not yet), what
 * pages — firing, then pending — then what is held (suppressed, silenced), the recently resolved,
 * the silence rules and how delivery goes. Empty sections are one line each.
 */
export function AlertsView({ initial, services, cause }: { initial: AlertsSnapshot; services: string[]; cause: LikelyCause }) {
  const router = useRouter();
  const mayChange = useHasRole('operator');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [router]);
  const byState = (state: AlertView['state']): AlertView[] => initial.alerts.filter((alert) => alert.state === state);
  // The header's live summaries: an alert its service no longer matches says so, rather than contradict the header's counts.
  // Only while they are live: with the socket down they stay as they were while the alerts refresh over HTTP,
  // and a service failing since would read "passing now" under its new alert.
  const { summaries, connection } = useLive();
  const summaryOf = useMemo(() => new Map(summaries.map((summary) => [summary.name, summary])), [summaries]);
  const live = connection === 'connected';
  /** An open alert's note, with what its service is now when that no longer agrees. */
  const withStatusNow =
    (note: Note): Note =>
    (alert) =>
      [live ? statusNowNote(alert, summaryOf.get(alert.labels.service)) : null, note(alert)].filter((part) => part !== null).join('; ') || null;
  const lift = async (id: string): Promise<void> => {
    const result = await accessCall('DELETE', `/api/v1/alerts/silences/${encodeURIComponent(id)}`);
    setError(result.ok ? null : result.message);
    router.refresh();
  };
  const [ackError, setAckError] = useState<string | null>(null);
  const acked = (message: string | null): void => {
    setAckError(message);
    router.refresh();
  };
  const failing = initial.delivery.targets.filter((target) => !target.ok);
  // With no receiver configured nothing leaves this page: saying "sent" then would have the on-call engineer believe someone was paged.
  const delivering = initial.delivery.targets.length > 0;
  return (
    <>
      <div className="page-header">
        <h1 className="page-title">Alerts</h1>
      </div>
      <AlertsOrigin cause={cause} />
      {failing.length > 0 && (
        <p className="form-alert form-alert--error" role="alert">
          Delivery failing to {failing.map((target) => `${target.channel} ${target.url} (${target.lastError ?? 'error'})`).join('; ')}
        </p>
      )}
      {!delivering && (
        <p className="form-alert form-alert--guard alerts-undelivered" role="status">
          Nothing is sent: no Alertmanager or webhook is configured, so these alerts page nobody. Set SWITCHYARD_ALERTMANAGER_URL or SWITCHYARD_ALERT_WEBHOOK_URL (README, “Alerts”).
        </p>
      )}
      {ackError && (
        <p className="form-alert form-alert--error" role="alert">
          {ackError}
        </p>
      )}
      <AlertSection
        id="alerts-firing"
        title="Firing"
        intro={
          delivering
            ? 'Sent, and re-sent to Alertmanager while they last. Acknowledge one you are on: it stays here, marked; Alertmanager silences it (no repeats) until it resolves, and the resolve is still sent.'
            : 'Failing for their rule’s duration. Not sent: no receiver is configured.'
        }
        alerts={byState('firing')}
        empty="nothing firing"
        note={withStatusNow((alert) => (alert.holds ? `holding ${alert.holds.join(', ')}` : alert.explainedBy ? `probable origin: ${alert.explainedBy}` : null))}
        {...(mayChange ? { actions: (alert: AlertView) => <AckControl alert={alert} onDone={acked} /> } : {})}
      />
      <AlertSection id="alerts-pending" title="Pending" intro="Failing, not yet for their rule’s duration." alerts={byState('pending')} empty="nothing failing short of its rule’s duration" note={withStatusNow(() => null)} />
      <AlertSection
        id="alerts-suppressed"
        title="Suppressed"
        intro="Held, not sent: a dependency is the probable origin and has its own alert. Sent if the caller still fails once the origin recovers."
        alerts={byState('suppressed')}
        empty="no caller held by a failing dependency"
        note={withStatusNow((alert) => `suppressed by ${alert.suppressedBy ?? 'its dependency'}`)}
      />
      <AlertSection id="alerts-silenced" title="Silenced alerts" intro="Would fire, but a silence rule (below) holds them from delivery until it ends." alerts={byState('silenced')} empty="no alert held by a silence rule" note={withStatusNow((alert) => silencedNote(alert, initial.silences))} />
      <AlertSection
        id="alerts-resolved"
        title="Recently resolved"
        intro="Alerts that fired (or would have, but were suppressed or silenced) and ended in the last hour. One that cleared while still pending never fired, and is not listed."
        alerts={initial.resolved}
        empty="nothing fired and ended in the last hour"
        note={(alert) => [resolvedOnNote(alert), resolvedNote(alert, delivering)].filter((part) => part !== null).join('; ') || null}
        timeHeader="Resolved"
      />
      <Section
        id="silences-title"
        title="Silence rules"
        count={initial.silences.length}
        intro="A silence rule holds a service’s new alerts (all, or the one named) from Alertmanager and the webhook until it ends; resolves of alerts already sent still go."
        empty="none set"
        keepIntro={mayChange}
      >
        {error && (
          <p className="form-alert form-alert--error" role="alert">
            {error}
          </p>
        )}
        {mayChange && <SilenceForm services={services} onDone={() => router.refresh()} />}
        {initial.silences.length > 0 && (
          <table className="table alerts-table" aria-label="Silence rules">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Alert</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
                <th scope="col">Until</th>
                {mayChange && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {initial.silences.map((silence) => (
                <tr key={silence.id} data-silence={silence.service}>
                  {/* A cell, not a block: `.truncate` (display: block) sat its words at the row's top; the table's cells cut with an ellipsis anyway. */}
                  <td title={silence.service}>
                    <CardLabel>Service</CardLabel>
                    {silence.service}
                  </td>
                  <td>
                    <CardLabel>Alert</CardLabel>
                    {silence.alertname ?? 'every alert'}
                  </td>
                  <td>
                    <CardLabel>Reason</CardLabel>
                    {silence.reason}
                  </td>
                  <td>
                    <CardLabel>By</CardLabel>
                    {silence.by}
                  </td>
                  <td>
                    <CardLabel>Until</CardLabel>
                    <ClientTime at={silence.until} />
                  </td>
                  {mayChange && (
                    <td>
                      <button type="button" className="button button--small" onClick={() => void lift(silence.id)}>
                        Lift
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section id="delivery-title" title="Delivery" count={initial.delivery.targets.length} showCount={false} empty="no Alertmanager or webhook configured">
        {initial.delivery.targets.length > 0 && (
          <table className="table alerts-table" aria-label="Delivery targets">
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">URL</th>
                <th scope="col">State</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {initial.delivery.targets.map((target) => (
                <tr key={`${target.channel}|${target.url}`}>
                  <td>
                    <CardLabel>Channel</CardLabel>
                    {target.channel}
                  </td>
                  <td className="mono" title={target.url}>
                    <CardLabel>URL</CardLabel>
                    {target.url}
                  </td>
                  <td>
                    <CardLabel>State</CardLabel>
                    {target.ok ? 'delivering' : `failing (${target.failures} in a row)`}
                  </td>
                  <td>
                    <CardLabel>Last error</CardLabel>
                    {target.lastError ?? '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
