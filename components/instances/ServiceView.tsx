'use client';

import { useMemo } from 'react';
import Link from 'next/link';
import { DEFAULT_FILTERS, historySearch } from '@/lib/model/history-query';
import { STATUSES } from '@/lib/model/instance';
import { standInClauses } from '@/lib/model/status/lost';
import type { ServiceSnapshot } from '@/lib/model/live';
import { withInstanceMetadataPatches, type MetadataPatches } from '@/lib/model/rsc-metadata';
import { useServiceView } from '@/lib/client/liveViews';
import { useLikelyOrigins } from '@/lib/client/useLikelyOrigins';
import { useInstancesLatency, useServiceLatency } from '@/lib/client/useLatency';
import { StatusBadge, STATUS_LABELS } from '../ui/StatusBadge';
import { EmptyState } from '../ui/EmptyState';
import { LatencySection } from '../charts/LatencySection';
import { useLatencyWindow } from '../charts/useLatencyWindow';
import { BulkDrainActions } from '../drain/BulkDrainActions';
import { InstancesTable } from './InstancesTable';
import { ServiceOriginNote } from './ServiceOriginNote';
import { ServiceRecoveryNote } from './ServiceRecoveryNote';
import { ServiceFlappingNote } from './ServiceFlappingNote';
import { useBefore } from '@/lib/client/useBefore';
import { latestRecovery } from '@/lib/model/service-summary';
import { useLocalTimes } from '@/lib/client/useLocalTimes';
import { RECOVERY_RESIDUE_MS } from '@/lib/model/topology/graph';

/**
 * `initial`: the service as the server rendered it, shown until its live view arrives (no flash of
 * "no instances"); `metadataPatches` restores the `__proto__` metadata keys React strips from it.
 */
export function ServiceView({ name, initial, metadataPatches }: { name: string; initial?: ServiceSnapshot; metadataPatches?: MetadataPatches }) {
  const seed = useMemo(
    () => (initial && metadataPatches ? { ...initial, instances: withInstanceMetadataPatches(initial.instances, metadataPatches) } : initial),
    [initial, metadataPatches],
  );
  const { service, loading } = useServiceView(name, seed);
  const local = useLocalTimes();
  const statusCounts = useMemo(
    () =>
      STATUSES.map((status) => ({ status, count: service?.instances.filter((i) => i.status === status).length ?? 0 })).filter(
        (c) => c.count > 0,
      ),
    [service],
  );
  const standIns = useMemo(() => standInClauses(service?.instances ?? []), [service]);
  const [window, setWindow] = useLatencyWindow();
  const calls = useServiceLatency(name, window);
  const probes = useInstancesLatency(name, window);
  const failing = service?.status === 'critical' || service?.status === 'warning';
  // Recovered lately: it says when, and it may still be the likely origin of callers clearing its errors (asked about until that can no longer be).
  const recoveredAt = service?.status === 'passing' ? latestRecovery(service.instances) : undefined;
  const mayBeRecoveredOrigin = useBefore(recoveredAt === undefined ? null : Date.parse(recoveredAt) + RECOVERY_RESIDUE_MS);
  const origins = useLikelyOrigins(failing || mayBeRecoveredOrigin);

  return (
    <>
      <div className="page-header">
        <nav className="breadcrumbs" aria-label="Breadcrumb">
          <Link href="/services">Services</Link>
          <span aria-hidden="true">/</span>
        </nav>
        <h1 className="page-title truncate" title={name}>
          {name}
        </h1>
        {service && <StatusBadge status={service.status} />}
        {!service && !loading && <span className="tag">not registered</span>}
        {service && (
          <p className="page-header__meta">
            {service.instances.length} {service.instances.length === 1 ? 'instance' : 'instances'}
            {statusCounts.map(({ status, count }) => ` · ${count} ${STATUS_LABELS[status].toLowerCase()}`)}
            {standIns.map((clause) => ` · ${clause}`)}
          </p>
        )}
        {service?.cause && service.status !== 'passing' && (
          <p className={`service-cause service-cause--${service.status}`} role="status">
            {local(service.cause)}
          </p>
        )}
        {service && (
          <ServiceFlappingNote instances={service.instances}>
            {recoveredAt !== undefined && mayBeRecoveredOrigin && <ServiceRecoveryNote recoveredAt={recoveredAt} />}
          </ServiceFlappingNote>
        )}
        {service && <ServiceOriginNote service={name} origins={origins} status={service.status} recoveredAt={recoveredAt} />}
      </div>
      <LatencySection service={name} window={window} onWindowChange={setWindow} calls={calls} probes={probes} />
      <section className="section" aria-labelledby="instances-title">
        <div className="instances__header">
          <h2 className="section__title" id="instances-title">
            Instances
          </h2>
          {service && <BulkDrainActions service={name} instances={service.instances} />}
        </div>
        {service ? (
          <InstancesTable instances={service.instances} latency={probes.data?.instances ?? null} window={probes.data?.window ?? window} />
        ) : (
          <EmptyState title={`No instance of ${name} is registered`}>
            <p>
              If it ran before, <Link href={`/history?${historySearch({ ...DEFAULT_FILTERS, service: name, range: '30d' })}`}>its history</Link> shows when it
              went; if it never did, check the name. This page updates live.
            </p>
          </EmptyState>
        )}
      </section>
    </>
  );
}
