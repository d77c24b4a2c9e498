'use client';

import Link from 'next/link';
import type { Incident } from '@/lib/model/incidents';
import { servicePath } from '@/lib/client/routes';
import { EventTime } from './EventTime';
import { IncidentDuration } from './IncidentDuration';
import { firstSignLine, incidentCauseLine, incidentFlapping, peakLabel, upstreamLead } from './incidents';

interface Props {
  incidents: readonly Incident[];
  selected: string;
  onSelect: (id: string) => void;
}

/** Incidents newest first; a row's button (or a click anywhere on it) opens its events beside the list. */
export function IncidentsTable({ incidents, selected, onSelect }: Props) {
  return (
    <table className="table table--incidents">
      <caption className="visually-hidden">Incidents, newest first</caption>
      <colgroup>
        <col className="col-opened" />
        <col />
        <col className="col-duration" />
        <col className="col-instances" />
        <col className="col-peak" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Opened</th>
          <th scope="col">Service</th>
          <th scope="col">Duration</th>
          <th scope="col">Instances affected</th>
          <th scope="col" className="num" title="Most instances failing at the same moment">
            Peak
          </th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((incident) => {
          const current = incident.id === selected;
          const firstSign = firstSignLine(incident);
          const flapping = incidentFlapping(incident);
          return (
            <tr
              key={incident.id}
              className={current ? 'row-link is-selected' : 'row-link'}
              onClick={(event) => {
                if (!(event.target as HTMLElement).closest('a, button')) onSelect(incident.id);
              }}
            >
              <td>
                <button type="button" className="link-button" aria-pressed={current} onClick={() => onSelect(incident.id)}>
                  <EventTime at={incident.openedAt} />
                  <span className="visually-hidden">: show the events of this incident</span>
                </button>
              </td>
              <td>
                <Link href={servicePath(incident.service)} prefetch={false} className="truncate" title={incident.service}>
                  {incident.service}
                </Link>
                {/* Why it started, and where: the instances column gives way on a phone, this line does not. */}
                <span className="incident-cause" title={incidentCauseLine(incident)}>
                  {incidentCauseLine(incident)}
                </span>
                {flapping && <span className="incident-cause incident-cause--flapping">Flapping: {flapping}</span>}
                {incident.upstream && (
                  <span className="incident-cause incident-cause--upstream">
                    Downstream of{' '}
                    <button type="button" className="link-button" onClick={() => incident.upstream && onSelect(incident.upstream.id)}>
                      {incident.upstream.service}
                    </button>
                    , whose incident opened {upstreamLead(incident)}
                  </span>
                )}
                {firstSign && (
                  <span className="incident-cause incident-cause--first-sign" title={firstSign}>
                    {firstSign}
                  </span>
                )}
              </td>
              <td>
                <IncidentDuration incident={incident} />
              </td>
              <td className="mono" title={incident.instances.join('\n')}>
                <span className="incident-count">{incident.instances.length}</span> {incident.instances.join(', ')}
              </td>
              <td className="num">{peakLabel(incident.peakFailing)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
