'use client';

import type { RefObject } from 'react';
import type { DrainFailure } from '@/lib/client/drainApi';
import { ClientTime } from '../ui/ClientTime';
import { DrainUntil } from './DrainUntil';

interface Props {
  failure: DrainFailure;
  /** What was being done, for the headline: "drain" or "undrain". */
  action: 'drain' | 'undrain';
  /** "p-1" or "zone z1": what the guard would empty of passing instances. */
  subject: string;
  service: string;
  /** Offered on `last_passing_instance`: resubmit with force. */
  onForce?: () => void;
  busy: boolean;
  boxRef: RefObject<HTMLDivElement | null>;
}

/** A failed request, said plainly inside the dialog; the guard's refusal comes with the way past it. */
export function FailureBox({ failure, action, subject, service, onForce, busy, boxRef }: Props) {
  if (failure.kind === 'network') {
    return (
      <div className="form-alert form-alert--error" role="alert" tabIndex={-1} ref={boxRef}>
        <p className="form-alert__title">Could not reach Switchyard</p>
        <p>{failure.message}. Check the connection and try again; the table shows live whether anything changed.</p>
      </div>
    );
  }
  if (failure.code === 'last_passing_instance') {
    return (
      <div className="form-alert form-alert--guard" role="alert" tabIndex={-1} ref={boxRef}>
        <p className="form-alert__title">This would leave no passing instance of <bdi>{service}</bdi> in rotation</p>
        <p>
          Draining <bdi>{subject}</bdi> takes the last healthy <bdi>{service}</bdi> instance out of rotation, so callers that honour drains have nowhere to go. Switchyard
          refused; drain anyway only if that is what you want (for example, the whole service is going down).
        </p>
        {onForce && (
          <button type="button" className="button button--danger" onClick={onForce} disabled={busy}>
            Drain anyway (force)
          </button>
        )}
      </div>
    );
  }
  if (failure.code === 'already_drained') {
    const current = failure.current;
    return (
      <div className="form-alert form-alert--error" role="alert" tabIndex={-1} ref={boxRef}>
        <p className="form-alert__title">Already drained</p>
        {current ? (
          <p>
            {subject} was drained by <strong>{current.by}</strong> at <ClientTime at={current.at} fallback={current.at} />, <DrainUntil until={current.until} />:{' '}
            <q>{current.reason}</q>
          </p>
        ) : (
          <p>{failure.message}.</p>
        )}
      </div>
    );
  }
  const title =
    failure.code === 'registry_unavailable'
      ? 'etcd is unavailable'
      : failure.code === 'not_drained'
      ? 'Not drained any more'
      : failure.status === 404
        ? 'Not found'
        : failure.status === 409
          ? 'Changed meanwhile'
          : `Could not ${action}`;
  return (
    <div className="form-alert form-alert--error" role="alert" tabIndex={-1} ref={boxRef}>
      <p className="form-alert__title">{title}</p>
      <p>
        {failure.code === 'not_drained' ? `${subject} is not drained: someone lifted it, or its time ran out.` : failure.message}
        {failure.status >= 500 && ` (HTTP ${failure.status})`}
      </p>
    </div>
  );
}
