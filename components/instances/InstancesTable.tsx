'use client';

import { useCallback, useMemo, useState } from 'react';
import type { Instance } from '@/lib/model/instance';
import type { InstanceLatency, LatencyWindow } from '@/lib/model/latency';
import { distinguishingTail } from '@/lib/model/middle-ellipsis';
import { InstanceRow } from './InstanceRow';

interface Props {
  instances: readonly Instance[];
  /** Per-instance series (sparklines), null until loaded. */
  latency: readonly InstanceLatency[] | null;
  window: LatencyWindow;
}

export function InstancesTable({ instances, latency, window }: Props) {
  // By etcd key, so an open row stays open while live updates replace its instance object.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback(
    (key: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );
  const idTail = useMemo(() => distinguishingTail(instances.map((instance) => instance.id)), [instances]);
  const latencyByKey = useMemo(() => new Map(latency?.map((series) => [series.key, series])), [latency]);
  return (
    <table className="table table--instances">
      <caption className="visually-hidden">Instances</caption>
      <colgroup>
        <col className="col-id" />
        <col className="col-address" />
        <col className="col-format wide-only" />
        <col className="col-version" />
        <col className="col-zone" />
        <col className="col-ttl wide-only" />
        <col className="col-status" />
        <col className="col-latency" />
        <col className="col-probe" />
        <col className="col-drain" />
        <col className="col-metadata" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col" data-column="id">
            Instance
          </th>
          <th scope="col" data-column="address">
            Address
          </th>
          <th scope="col" className="wide-only" data-column="format">
            Format
          </th>
          <th scope="col" data-column="version">
            Version
          </th>
          <th scope="col" data-column="zone">
            Zone
          </th>
          <th scope="col" className="num wide-only" data-column="ttl">
            Lease TTL
          </th>
          <th scope="col" data-column="status">
            Status
          </th>
          <th scope="col" data-column="latency">
            Latency
          </th>
          <th scope="col" data-column="probe">
            Probe
          </th>
          <th scope="col" data-column="drain">
            Drain
          </th>
          <th scope="col" data-column="metadata">
            Metadata
          </th>
        </tr>
      </thead>
      <tbody>
        {instances.map((instance) => (
          <InstanceRow
            key={instance.key}
            instance={instance}
            expanded={expanded.has(instance.key)}
            onToggle={toggle}
            latency={latencyByKey.get(instance.key)}
            window={window}
            idTail={idTail}
          />
        ))}
      </tbody>
    </table>
  );
}
