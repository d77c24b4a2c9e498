import { memo, useId } from 'react';
import type { Instance } from '@/lib/model/instance';
import { standInKind } from '@/lib/model/status/lost';
import type { InstanceLatency, LatencyWindow } from '@/lib/model/latency';
import { CopyableText } from '../ui/CopyButton';
import { MiddleTruncate } from '../ui/MiddleTruncate';
import { Truncate } from '../ui/Truncate';
import { titleIfCut } from '../ui/title-if-cut';
import { DrainAction } from '../drain/DrainAction';
import { DrainRow } from '../drain/DrainRow';
import { LatencyCell } from './LatencyCell';
import { LostRow } from './LostRow';
import { ProbeCell } from './ProbeCell';
import { StatusCell } from './StatusCell';

export const INSTANCE_COLUMNS = 11;

interface Props {
  instance: Instance;
  expanded: boolean;
  onToggle: (key: string) => void;
  /** This instance's series for the sparkline; undefined until loaded. */
  latency: InstanceLatency | undefined;
  window: LatencyWindow;
  /** Trailing characters of the id that always show: enough to tell this service's instances apart. */
  idTail: number;
}

export const InstanceRow = memo(function InstanceRow({ instance, expanded, onToggle, latency, window, idTail }: Props) {
  const metadata = Object.entries(instance.metadata);
  // Instance keys contain spaces and quotes; an IDREF must not.
  const detailsId = useId();
  return (
    <>
      <tr className={[expanded ? 'is-expanded' : '', instance.drain ? 'is-drained' : '', instance.lost ? `is-${standInKind(instance.lost)}` : ''].filter(Boolean).join(' ') || undefined}>
        <td data-column="id">
          <MiddleTruncate text={instance.id} tail={idTail} className="mono" />
        </td>
        <td className="wrap-cell" data-column="address">
          <CopyableText text={instance.address} label={`address of ${instance.id}`} className="mono" />
        </td>
        <td className="wide-only" data-column="format">
          <Truncate text={instance.format} />
        </td>
        {/* Whole, wrapping if need be ("1.9.0-canary" cut to "1.9.0…" hid that it is the canary); labelled on a phone's card. */}
        <td className={instance.version === undefined ? 'wrap-cell instance-facet is-empty' : 'wrap-cell instance-facet'} data-column="version">
          <span className="instance-facet__label">version </span>
          {/* The dash outside the monospace font: there it is an en dash's width beside the other columns' "—". */}
          {instance.version !== undefined ? <span className="mono">{instance.version}</span> : '—'}
        </td>
        {/* One line, never broken inside; a zone longer than its column is titled on hover. */}
        <td className={instance.zone === undefined ? 'wrap-cell instance-facet is-empty' : 'wrap-cell instance-facet'} data-column="zone" onPointerEnter={(event) => titleIfCut(event.currentTarget, instance.zone)}>
          <span className="instance-facet__label">zone </span>
          {instance.zone ?? '—'}
        </td>
        <td className="num wide-only" data-column="ttl">
          {instance.leaseTtl === undefined ? '—' : `${instance.leaseTtl} s`}
        </td>
        <td data-column="status">
          <StatusCell instance={instance} />
        </td>
        <td data-column="latency">
          <LatencyCell latency={latency} window={window} instance={instance} />
        </td>
        <td data-column="probe">
          <ProbeCell instance={instance} latency={latency} window={window} />
        </td>
        <td className="drain-cell" data-column="drain">
          {instance.lost ? null : <DrainAction instance={instance} />}
        </td>
        <td data-column="metadata">
          {metadata.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <button
              type="button"
              className="disclosure"
              aria-expanded={expanded}
              aria-controls={expanded ? detailsId : undefined}
              onClick={() => onToggle(instance.key)}
            >
              <span className="disclosure__chevron" aria-hidden="true" />
              {metadata.length} {metadata.length === 1 ? 'key' : 'keys'}
              <span className="visually-hidden"> of metadata for {instance.id}</span>
            </button>
          )}
        </td>
      </tr>
      <LostRow instance={instance} columns={INSTANCE_COLUMNS} />
      <DrainRow instance={instance} columns={INSTANCE_COLUMNS} />
      {expanded && metadata.length > 0 && (
        <tr className="detail-row" id={detailsId}>
          <td colSpan={INSTANCE_COLUMNS}>
            <dl className="metadata">
              {metadata.map(([key, value]) => (
                <div key={key} className="metadata__item">
                  <dt>{key}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </td>
        </tr>
      )}
    </>
  );
});
