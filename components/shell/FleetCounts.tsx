'use client';

import { useMemo } from 'react';
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
      {STATUSES.map((status) => (
        <div
          key={status}
          className={`fleet-counts__item fleet-counts__status status--${status}${counts.byStatus[status] === 0 ? ' is-zero' : ''}`}
          title={`${counts.byStatus[status]} ${counts.byStatus[status] === 1 ? 'service' : 'services'} ${STATUS_LABELS[status].toLowerCase()}`}
        >
          <dt>
            <StatusIcon status={status} />
            <span className="visually-hidden">{STATUS_LABELS[status]}</span>
          </dt>
          <dd>{number.format(counts.byStatus[status])}</dd>
        </div>
      ))}
    </dl>
  );
}
