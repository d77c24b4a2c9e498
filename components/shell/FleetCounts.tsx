'use client';

import { useMemo } from 'react';
import Link from 'next/link';
import { STATUSES } from '@/lib/model/instance';
import { countSummaries } from '@/lib/model/service-summary';
import { STAND_IN_WORDS } from '@/lib/model/status/lost';
import { StatusIcon } from '../ui/StatusIcon';
import { STATUS_LABELS } from '../ui/StatusBadge';
import { useLive } from '../live/LiveProvider';

const number = new Intl.NumberFormat('en');

const unlistedTitle = (count: number): string =>
  `${count} ${count === 1 ? 'service' : 'services'} failing only by instances ${STAND_IN_WORDS.unlisted}: they still serve, but callers cannot find them through etcd`;

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
      {/* Not counted as critical: cut off from etcd they serve on, and the fix is etcd, not them (the whole fleet at once reads so). */}
      {counts.outOfDiscovery > 0 && (
        <div className="fleet-counts__item fleet-counts__status fleet-counts__unlisted status--warning" title={unlistedTitle(counts.outOfDiscovery)}>
          <dt>{STAND_IN_WORDS.unlisted}</dt>
          <dd>
            <Link className="fleet-counts__link" href="/services" aria-label={`${unlistedTitle(counts.outOfDiscovery)}: list them`}>
              {number.format(counts.outOfDiscovery)}
            </Link>
          </dd>
        </div>
      )}
    </dl>
  );
}
