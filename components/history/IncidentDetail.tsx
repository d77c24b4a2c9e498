'use client';

import { useMemo } from 'react';
import Link from 'next/link';
import type { Incident } from '@/lib/model/incidents';
import { historySearch, DEFAULT_FILTERS, type EventFilter } from '@/lib/model/history-query';
import { servicePath } from '@/lib/client/routes';
import { useHistoryEvents } from '@/lib/client/useHistoryEvents';
import { EmptyState } from '../ui/EmptyState';
import { EventTime } from './EventTime';
import { IncidentDuration } from './IncidentDuration';
import { firstSignWhat, incidentCauseLine, incidentFlapping, incidentRange, peakLabel, upstreamLead } from './incidents';
import { Timeline } from './Timeline';

/** One incident: its facts, and its events (the timeline for its service over its time range, live while ongoing). */
export function IncidentDetail({ incident, onClose }: { incident: Incident; onClose: () => void }) {
  const range = incidentRange(incident);
  const flapping = incidentFlapping(incident);
  // From primitives: the list's refresh brings a new firstSign object for the same incident.
  const firstSignAt = incident.firstSign?.at;
  const filter = useMemo<EventFilter>(
    () => ({ service: incident.service, ...incidentRange({ openedAt: incident.openedAt, closedAt: incident.closedAt, firstSign: firstSignAt === undefined ? null : { at: firstSignAt } }) }),
    [incident.service, incident.openedAt, incident.closedAt, firstSignAt],
  );
  const view = useHistoryEvents(filter);
  const timelineHref = `/history?${historySearch({ ...DEFAULT_FILTERS, service: incident.service, range: 'custom', since: range.since, until: range.until ?? '' })}`;
  return (
    <div className="incident-detail">
      <div className="incident-detail__header">
        <h2 className="section__title">
          Incident in{' '}
          <Link href={servicePath(incident.service)} prefetch={false}>
            {incident.service}
          </Link>
        </h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close incident detail" title="Close">
          ×
        </button>
      </div>
      <dl className="incident-detail__facts">
        <div>
          <dt>Opened</dt>
          <dd>
            <EventTime at={incident.openedAt} stacked />
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>
            <IncidentDuration incident={incident} />
          </dd>
        </div>
        {incident.closedAt !== null && (
          // What its end is: the service's recovery (the moment its page, the map and its alerts' resolve give), or its failing instances leaving.
          <div>
            <dt>{incident.closedBy === 'departure' ? 'Ended (instances gone)' : 'Recovered'}</dt>
            <dd>
              <EventTime at={incident.closedAt} stacked />
            </dd>
          </div>
        )}
        <div className="incident-detail__cause">
          <dt>Cause</dt>
          <dd>{incidentCauseLine(incident)}</dd>
        </div>
        {incident.upstream && (
          <div className="incident-detail__cause">
            <dt>Probably downstream of</dt>
            <dd>
              <Link href={servicePath(incident.upstream.service)} prefetch={false}>
                {incident.upstream.service}
              </Link>
              , a service it depends on, whose incident opened {upstreamLead(incident)} this one
            </dd>
          </div>
        )}
        {incident.firstSign && (
          <div className="incident-detail__cause">
            <dt>First sign</dt>
            <dd>
              <EventTime at={incident.firstSign.at} /> {firstSignWhat(incident.firstSign)}
            </dd>
          </div>
        )}
        <div>
          <dt>Failures</dt>
          <dd>{incident.failures}</dd>
        </div>
        {flapping && (
          <div className="incident-detail__cause">
            <dt>Flapping</dt>
            <dd>{flapping}</dd>
          </div>
        )}
        <div>
          <dt>Peak failing</dt>
          <dd>{peakLabel(incident.peakFailing)}</dd>
        </div>
        <div className="incident-detail__instances">
          <dt>Instances ({incident.instances.length})</dt>
          <dd className="mono">{incident.instances.join(', ')}</dd>
        </div>
      </dl>
      <p className="incident-detail__links">
        <Link href={timelineHref} prefetch={false}>
          Open these events in the timeline
        </Link>
      </p>
      <Timeline
        view={view}
        label={`Events of the incident in ${incident.service}`}
        showService={false}
        size="panel"
        empty={<EmptyState title="No events recorded for this incident" />}
      />
    </div>
  );
}
