'use client';

import { useMemo } from 'react';
import { facetsOf, queryServices } from '@/lib/model/filter';
import { isFailingStatus } from '@/lib/model/instance';
import { useLikelyOrigins } from '@/lib/client/useLikelyOrigins';
import { useServiceSearch } from '@/lib/client/useServiceSearch';
import { EmptyState } from '../ui/EmptyState';
import { useLive } from '../live/LiveProvider';
import { ServicesTable } from './ServicesTable';
import { ServicesToolbar } from './ServicesToolbar';
import { useServiceQuery } from './useServiceQuery';

/** `examplePut`: an empty fleet's example, `etcdctl --endpoints=… put <key>` (the server's etcd, a prefix it watches). */
export function ServicesView({ examplePut }: { examplePut: string }) {
  const { summaries, state } = useLive();
  const [query, update] = useServiceQuery();
  // Instance ids, addresses and metadata are matched by the server: the browser holds summaries.
  const hits = useServiceSearch(query.search);
  const facets = useMemo(() => facetsOf(summaries), [summaries]);
  // Where a failure starts, as the map says it: asked for while anything fails.
  const failing = summaries.some((summary) => isFailingStatus(summary.status));
  const likelyOrigins = useLikelyOrigins(failing);
  const origins = useMemo(() => new Map(likelyOrigins.filter((origin) => origin.kind === 'service').map((origin) => [origin.id, origin])), [likelyOrigins]);
  const originNames = useMemo(() => new Set(origins.keys()), [origins]);
  const rows = useMemo(() => queryServices(summaries, query, hits ?? undefined, originNames), [summaries, query, hits, originNames]);

  if (summaries.length === 0 && state.registry.state !== 'synced') {
    return (
      <EmptyState title="Waiting for etcd">
        <p>Services appear here as soon as Switchyard has read the registry; this page updates live.</p>
      </EmptyState>
    );
  }
  if (summaries.length === 0) {
    return (
      <EmptyState title="No services registered yet">
        <p>Services appear here the moment they register in etcd; this page updates live. For example:</p>
        <pre className="code">{`${examplePut} '{"address":"127.0.0.1:9001"}'`}</pre>
      </EmptyState>
    );
  }

  return (
    <>
      <ServicesToolbar query={query} facets={facets} shown={rows.length} total={summaries.length} onChange={update} />
      {rows.length === 0 ? (
        <EmptyState title="No services match these filters">
          <p>Clear the search or a filter to see more.</p>
        </EmptyState>
      ) : (
        <ServicesTable rows={rows} query={query} onChange={update} origins={origins} />
      )}
    </>
  );
}
