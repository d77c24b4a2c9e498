'use client';

import { memo, type CSSProperties } from 'react';
import Link from 'next/link';
import { formatClock } from '@/lib/client/formatTime';
import { servicePath } from '@/lib/client/routes';
import { GONE_UNWATCHED, PRESENT_AT_START, type HistoryEvent } from '@/lib/model/events';
import { summarizeGroup, type Fold } from '@/lib/model/timeline-entries';
import { EventTime } from './EventTime';
import { eventTone } from './format';
import { KindLabel } from './KindLabel';
import { Transition } from './Transition';

interface Props {
  groupKey: string;
  fold: Fold;
  events: readonly HistoryEvent[];
  open: boolean;
  index: number;
  /** Total rows, or -1 while more may load (aria-setsize). */
  setSize: number;
  start: number;
  active: boolean;
  showService: boolean;
  onToggle: (key: string, index: number) => void;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What a fold's line says, and how it is announced. */
const WORDING: Record<Fold, { detail: string; label: string }> = {
  'first-pass': { detail: 'first probe passed', label: 'First probes passed' },
  'present-at-start': { detail: PRESENT_AT_START, label: 'Registered when Switchyard started' },
  'gone-unwatched': { detail: GONE_UNWATCHED, label: 'Deregistered while Switchyard was not watching' },
};

/**
 * A run of events of one fold (first passes, `unknown → passing`; the first list's registrations;
 * deregistrations a relist found) as one line; opening it lists them below (Enter or click).
 */
export const TimelineGroupRow = memo(function TimelineGroupRow({ groupKey, fold, events, open, index, setSize, start, active, showService, onToggle }: Props) {
  const summary = summarizeGroup(events);
  const [newest] = events;
  if (newest === undefined) return null;
  const instances = plural(summary.instances, 'instance');
  const { detail, label } = WORDING[fold];
  const what = summary.oldest === summary.newest ? detail : `${detail}, ${formatClock(summary.oldest)} – ${formatClock(summary.newest)}`;
  const style: CSSProperties = { transform: `translateY(${start}px)` };
  return (
    <article
      data-index={index}
      data-group={groupKey}
      className={`timeline-row timeline-row--group tone--${eventTone(newest)}`}
      style={style}
      tabIndex={active ? 0 : -1}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      aria-label={`${label}: ${instances}${summary.service !== undefined ? ` of ${summary.service}` : ` of ${plural(summary.services, 'service')}`}`}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a, button') || window.getSelection()?.toString()) return;
        onToggle(groupKey, index);
      }}
    >
      <div className={showService ? 'timeline-row__line' : 'timeline-row__line timeline-row__line--no-service'}>
        <button type="button" className="timeline-row__toggle" tabIndex={-1} aria-expanded={open} aria-label="Instances" onClick={() => onToggle(groupKey, index)}>
          <span className="disclosure__chevron" aria-hidden="true" />
        </button>
        <EventTime at={newest.at} />
        <KindLabel event={newest} />
        {showService && (
          <span className="timeline-row__service">
            {/* Narrow screens hide the instance column: there the count of instances follows the service. */}
            {summary.service !== undefined ? (
              <Link href={servicePath(summary.service)} prefetch={false} tabIndex={-1} className="truncate timeline-group__services" title={summary.service}>
                {summary.service}
              </Link>
            ) : (
              <span className="truncate timeline-group__services">{plural(summary.services, 'service')}</span>
            )}
            <span className="truncate timeline-group__instances">{instances}</span>
          </span>
        )}
        <span className="timeline-row__instance truncate">{instances}</span>
        <span className="timeline-row__change">
          <Transition event={newest} />
        </span>
        <span className="timeline-row__detail truncate" title={what}>
          {what}
        </span>
        <span className="timeline-row__actor" />
      </div>
    </article>
  );
});
