'use client';

import { memo, type CSSProperties } from 'react';
import Link from 'next/link';
import type { HistoryEvent } from '@/lib/model/events';
import { lossDepartureDetail } from '@/lib/model/loss-departures';
import { servicePath } from '@/lib/client/routes';
import { EventDetails, type RowFilterActions } from './EventDetails';
import { EventTime } from './EventTime';
import { eventLabel, eventTone } from './format';
import { KindLabel } from './KindLabel';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { Transition } from './Transition';
import { MiddleTruncate } from '../ui/MiddleTruncate';

interface Props extends RowFilterActions {
  event: HistoryEvent;
  /** A deregistration that is a lost instance's key going (`lossDepartures`): its detail says so. */
  ofLoss?: boolean;
  /** Listed under an open group line. */
  grouped?: boolean;
  index: number;
  /** Total rows, or -1 while more may load (aria-setsize). */
  setSize: number;
  start: number;
  expanded: boolean;
  /** The row keyboard focus rests on (roving tabindex). */
  active: boolean;
  showService: boolean;
  /** How many characters of its instance id's end stay whole when the id is cut in its middle (`instanceTails`). */
  idTail: number;
  /** Measures the row's height; only expanded rows need it (a collapsed row is exactly its ROW_HEIGHT, one line or two). */
  measure: (element: HTMLElement | null) => void;
  onToggle: (id: number, index: number) => void;
}

const dash = <span className="muted">—</span>;

/** One event of the timeline: a line of columns, and everything it says when expanded (Enter or click). */
export const TimelineRow = memo(function TimelineRow({ event, ofLoss = false, grouped = false, index, setSize, start, expanded, active, showService, idTail, measure, onToggle, onFilter }: Props) {
  const style: CSSProperties = { transform: `translateY(${start}px)` };
  const where = [event.service, event.instance].filter((part) => part !== undefined).join(' / ');
  const detail = useLocalTimes()(ofLoss ? lossDepartureDetail(event.detail) : event.detail, event.at);
  return (
    <article
      ref={expanded ? measure : undefined}
      data-index={index}
      data-event-id={event.id}
      data-kind={event.kind}
      className={`timeline-row tone--${eventTone(event)}${grouped ? ' timeline-row--grouped' : ''}${expanded ? ' is-expanded' : ''}`}
      style={style}
      tabIndex={active ? 0 : -1}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-label={`${eventLabel(event)}${where ? `: ${where}` : ''}`}
      onClick={(e) => {
        // Links, buttons and selected text inside keep their own behaviour.
        if ((e.target as HTMLElement).closest('a, button, .event-details') || window.getSelection()?.toString()) return;
        onToggle(event.id, index);
      }}
    >
      <div className={showService ? 'timeline-row__line' : 'timeline-row__line timeline-row__line--no-service'}>
        <button type="button" className="timeline-row__toggle" tabIndex={-1} aria-expanded={expanded} aria-label="Details" onClick={() => onToggle(event.id, index)}>
          <span className="disclosure__chevron" aria-hidden="true" />
        </button>
        <EventTime at={event.at} />
        <KindLabel event={event} />
        {showService && (
          <span className="timeline-row__service">
            {event.service !== undefined ? (
              <Link href={servicePath(event.service)} prefetch={false} tabIndex={-1} className="truncate" title={event.service}>
                {event.service}
              </Link>
            ) : (
              dash
            )}
          </span>
        )}
        {/* Without an instance, a phone's row (which has no Instance column to keep aligned) leaves out the dash.
            An id is cut in its middle, keeping as much of its end as tells its service's ids apart. */}
        {event.instance === undefined ? (
          <span className="timeline-row__instance timeline-row__instance--none">{dash}</span>
        ) : (
          <span className="timeline-row__instance truncate mono">
            <MiddleTruncate text={event.instance} tail={idTail} />
          </span>
        )}
        <span className="timeline-row__change">
          <Transition event={event} />
        </span>
        <span className="timeline-row__detail truncate" title={detail} dir="auto">
          {detail}
        </span>
        <span className="timeline-row__actor truncate" title={event.actor}>
          {event.actor ?? ''}
        </span>
      </div>
      {expanded && <EventDetails event={event} onFilter={onFilter} />}
    </article>
  );
});
