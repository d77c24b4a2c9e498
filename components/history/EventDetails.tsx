import Link from 'next/link';
import type { HistoryEvent } from '@/lib/model/events';
import { servicePath } from '@/lib/client/routes';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { formatDuration } from '@/lib/model/duration';
import { eventLabel } from './format';
import { Transition } from './Transition';

export interface RowFilterActions {
  /** Narrows the timeline to this service (or service and instance). */
  onFilter?: (patch: { service: string; instance?: string }) => void;
}

/** Everything an event says, untruncated, with ways to narrow the list to its service or instance. */
export function EventDetails({ event, onFilter }: { event: HistoryEvent } & RowFilterActions) {
  const local = useLocalTimes();
  const untilMs = event.until === undefined ? NaN : Date.parse(event.until) - Date.parse(event.at);
  return (
    <dl className="event-details">
      <dt>When</dt>
      <dd>
        {new Date(event.at).toLocaleString()} <span className="muted mono">{event.at}</span>
      </dd>
      <dt>Kind</dt>
      <dd>
        {eventLabel(event)} <span className="muted mono">{event.kind}</span>
      </dd>
      {event.service !== undefined && (
        <>
          <dt>Service</dt>
          <dd className="event-details__actions">
            <Link href={servicePath(event.service)} prefetch={false} className="event-details__name">
              {event.service}
            </Link>
            {onFilter && (
              <button type="button" className="button button--quiet button--small" onClick={() => onFilter({ service: event.service ?? '', instance: '' })}>
                Only this service
              </button>
            )}
          </dd>
        </>
      )}
      {event.instance !== undefined && (
        <>
          <dt>Instance</dt>
          <dd className="event-details__actions">
            <span className="mono event-details__name">{event.instance}</span>
            {onFilter && event.service !== undefined && (
              <button
                type="button"
                className="button button--quiet button--small"
                onClick={() => onFilter({ service: event.service ?? '', instance: event.instance ?? '' })}
              >
                Only this instance
              </button>
            )}
          </dd>
        </>
      )}
      {(event.from !== undefined || event.to !== undefined) && (
        <>
          <dt>Change</dt>
          <dd>
            <Transition event={event} />
          </dd>
        </>
      )}
      {event.actor !== undefined && (
        <>
          <dt>By</dt>
          <dd>{event.actor}</dd>
        </>
      )}
      {event.until !== undefined && (
        <>
          <dt>Until</dt>
          <dd>
            {new Date(event.until).toLocaleString()}
            {Number.isFinite(untilMs) && <span className="muted"> ({formatDuration(untilMs)})</span>}
          </dd>
        </>
      )}
      <dt>Detail</dt>
      <dd className="event-details__text">{local(event.detail, event.at) || '—'}</dd>
      <dt>Event</dt>
      <dd className="muted mono">#{event.id}</dd>
    </dl>
  );
}
