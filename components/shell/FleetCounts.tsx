'use client';

import { useMemo } from 'react';
import Link from 'next/link';
import { STATUSES } from '@/lib/model/instance';
import { countSummaries } from '@/lib/model/service-summary';
import { StatusIcon } from '../ui/StatusIcon';
import { STATUS_LABELS } from '../ui/StatusBadge';
import { useLive } from '../live/LiveProvider';

const number = new Intl.NumberFormat('en');

export function FleetCounts() {
  const { summaries } = useLive();
  const counts = useMemo(() => countSummaries(summaries), [summaries]);
  return (
    <dl className="fleet-counts" aria-label="Fleet summary">
      <div className="fleet-counts__item">
        <dt>Services</dt>
        <dd>{number.format(counts.services)}</dd>
      </div>
      <div className="fleet-counts__item">
        <dt>Instances</dt>
        <dd>{number.format(counts.instances)}</dd>
      </div>
      {STATUSES.map((status) => {
        const count = counts.byStatus[status];
        const title = `${count} ${count === 1 ? 'service' : 'services'} ${STATUS_LABELS[status].toLowerCase()}`;
        return (
          <div key={status} className={`fleet-counts__item fleet-counts__status status--${status}${count === 0 ? ' is-zero' : ''}`} title={title}>
            <dt>
              <StatusIcon status={status} />
              <span className="visually-hidden">{STATUS_LABELS[status]}</span>
            </dt>
            {/* A count is a way in: the services list filtered to those services, however far down the list they sort. */}
            <dd>
              {count > 0 ? (
                <Link className="fleet-counts__link" href={`/services?status=${status}`} aria-label={`${title}: list them`}>
                  {number.format(count)}
                </Link>
              ) : (
                number.format(count)
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
