'use client';

import { useId } from 'react';
import Link from 'next/link';
import { DEFAULT_FILTERS, FAILURE_KINDS, historySearch } from '@/lib/model/history-query';
import { useHistoryFailures } from '@/lib/client/useHistoryFailures';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { LoadError } from '../charts/LoadError';
import { EventTime } from './EventTime';
import { KindLabel } from './KindLabel';
import { Transition } from './Transition';

const COUNT = 10;

/** The service's last failures (turned critical, lost, a lease ended with no loss recorded: `failureList`), newest first, live. */
export function RecentFailures({ service }: { service: string }) {
  const { events, error, retry } = useHistoryFailures(service, COUNT);
  const titleId = useId();
  const local = useLocalTimes();
  const allHref = `/history?${historySearch({ ...DEFAULT_FILTERS, service, kinds: [...FAILURE_KINDS], range: '30d' })}`;
  return (
    <section className="section recent-failures" aria-labelledby={titleId}>
      <div className="recent-failures__header">
        <h2 className="section__title" id={titleId}>
          Recent failures
        </h2>
        <Link href={allHref} prefetch={false} className="recent-failures__all">
          All events in History →
        </Link>
      </div>
      {events === null ? (
        error !== null ? (
          <LoadError what="recent failures" message={error} onRetry={retry} compact />
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : events.length === 0 ? (
        <p className="recent-failures__none">No failures recorded for this service.</p>
      ) : (
        <ol className="recent-failures__list">
          {events.map((event) => (
            <li key={event.id} className="recent-failures__item">
              <EventTime at={event.at} />
              <KindLabel event={event} />
              <span className="mono recent-failures__instance">
                {event.instance}
              </span>
              <span>
                <Transition event={event} />
              </span>
              <span className="truncate recent-failures__detail" title={local(event.detail, event.at)}>
                {local(event.detail, event.at)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
