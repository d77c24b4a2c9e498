import type { Metadata } from 'next';
import { ClientTime } from '@/components/ui/ClientTime';
import { EmptyState } from '@/components/ui/EmptyState';
import { RefreshButton } from '@/components/diagnostics/RefreshButton';
import { OtherUnitBucketsTable } from '@/components/diagnostics/OtherUnitBucketsTable';
import { otherUnitTileValue, unlistedLine } from '@/components/diagnostics/buckets-in-other-unit';
import { malformedHistogramsHint } from '@/components/diagnostics/malformed-histograms';
import { StatTiles } from '@/components/diagnostics/StatTiles';
import { UnrecognisedTable } from '@/components/diagnostics/UnrecognisedTable';
import { signedInWith } from '@/lib/server/auth/page';
import { MAX_BODIES_ARRIVING, MAX_BODIES_RECEIVING_PER_PRINCIPAL, MAX_RECEIVED_BYTES } from '@/lib/server/body-reception';
import { BODY_PACE } from '@/lib/server/read-body';
import { MAX_OTLP_IN_FLIGHT, MAX_OTLP_WAITING } from '@/lib/server/otlp/intake';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Diagnostics' };

export default async function DiagnosticsPage() {
  const { runtime } = await signedInWith();
  const diagnostics = runtime.registry.diagnostics();
  const externals = runtime.otlp.externalNodes();
  const otlpRequests = runtime.otlp.inFlight.stats();
  const otherUnit = runtime.otlp.metrics.bucketsInOtherUnit();
  const malformed = runtime.otlp.metrics.malformedHistograms();
  const unlisted = unlistedLine(otherUnit);
  const bodies = runtime.bodies.stats();
  const api = runtime.apiAdmission.stats();
  const { config } = runtime;
  const unrecognisedKeys = diagnostics.unrecognised.reduce((sum, p) => sum + p.count, 0);
  return (
    <>
      <div className="page-header">
        <h1 className="page-title">Diagnostics</h1>
        <p className="page-header__meta">
          As of <ClientTime at={Date.now()} relative={false} fallback="now" />
        </p>
        <div className="page-header__actions">
          <RefreshButton />
        </div>
      </div>
      <StatTiles
        stats={[
          { label: 'Keys seen', value: diagnostics.keysSeen, hint: 'etcd keys under the watched prefixes' },
          { label: 'Instances', value: diagnostics.instances, hint: 'Keys decoded to a service instance' },
          { label: 'Unrecognised keys', value: unrecognisedKeys, hint: 'Keys no registry format matched' },
          { label: 'External nodes', value: externals.nodes, hint: `Nodes outside the registry named by OpenTelemetry data, at most ${externals.cap}` },
          { label: 'External nodes refused', value: externals.refused, hint: `New names refused since start because ${externals.cap} external nodes were held` },
          {
            label: 'OTLP exports refused',
            value: otlpRequests.refused,
            hint: `Answered 429 (busy) since start: ${MAX_OTLP_IN_FLIGHT} exports were being taken and ${MAX_OTLP_WAITING} waited. Exporters retry; now ${otlpRequests.inFlight} in flight, ${otlpRequests.waiting} waiting`,
          },
          {
            label: 'Buckets in wrong unit',
            value: otherUnitTileValue(otherUnit),
            hint: `Duration histograms (by service and metric) in seconds with buckets meant for milliseconds (the OpenTelemetry SDK default), or in ms with buckets meant for seconds, since this process started; at most ${otherUnit.cap} listed`,
          },
          { label: 'Histograms refused', value: malformed.points, hint: malformedHistogramsHint(malformed) },
          {
            label: 'Request bodies refused',
            value: bodies.refusedBusy + bodies.refusedPrincipal,
            hint: `Ingest and OTLP requests answered 429 since start: ${bodies.refusedBusy} because ${MAX_BODIES_ARRIVING} bodies were arriving or ${MAX_RECEIVED_BYTES / 2 ** 20} MiB of bodies were waiting, ${bodies.refusedPrincipal} because their token had ${MAX_BODIES_RECEIVING_PER_PRINCIPAL} arriving. Senders retry; now ${bodies.held} held, ${bodies.receiving} arriving`,
          },
          { label: 'Request bodies too slow', value: bodies.droppedSlow, hint: `Ingest and OTLP bodies dropped (408) since start for arriving slower than ${BODY_PACE.minBytesPerSecond / 1024} KiB/s after ${BODY_PACE.graceMs / 1000} s` },
          {
            label: 'API requests refused',
            value: api.refused.client + api.refused.total,
            hint: `Refused since start: ${api.refused.client} with 429 because their client had ${config.SWITCHYARD_API_CLIENT_CONCURRENCY} in progress and ${config.SWITCHYARD_API_CLIENT_QUEUE} waiting, ${api.refused.total} with 503 because all clients had ${config.SWITCHYARD_API_CONCURRENCY} in progress and ${config.SWITCHYARD_API_QUEUE} waiting. Clients retry; now ${api.inFlight} in progress, ${api.waiting} waiting`,
          },
        ]}
      />
      {otherUnit.histograms.length > 0 && (
        <section className="section">
          <h2 className="section__title">Duration histograms with buckets in the other unit</h2>
          {otherUnit.histograms.some((histogram) => histogram.unit === 's') && (
            <p className="section__intro">
              A histogram in seconds with buckets meant for milliseconds (the SDKs&rsquo; default, 0, 5, 10 … 10000, which an instrument advising none gets) puts every call under
              its first bucket&rsquo;s bound in one bucket, so its percentiles read within that bucket whatever the latency: each row says what its bounds give. Create it with the
              semantic conventions&rsquo; seconds buckets:{' '}
              <code>advice: {'{'} explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] {'}'}</code> in JavaScript,{' '}
              <code>metric.WithExplicitBucketBoundaries(…)</code> in Go, or a View (README, &ldquo;Connect your fleet&rdquo;).
            </p>
          )}
          {otherUnit.histograms.some((histogram) => histogram.unit === 'ms') && (
            <p className="section__intro">
              A histogram in milliseconds with buckets meant for seconds puts every call over its largest bound in the overflow bucket. Record seconds under the current name
              with unit <code>s</code>, or drop the advice or View that gave it seconds buckets (the SDK default is for ms).
            </p>
          )}
          <p className="section__intro">Counted by this process since it started: each replica has its own list, and a restart empties it.</p>
          <OtherUnitBucketsTable rows={otherUnit.histograms} />
          {unlisted && <p className="section__intro">{unlisted}</p>}
        </section>
      )}
      <section className="section">
        <h2 className="section__title">Unrecognised prefixes</h2>
        <p className="section__intro">
          Keys that matched no known registry format. They are ignored for the service map; a large count here usually means
          a framework Switchyard does not decode yet, or a prefix worth excluding with <code>SWITCHYARD_PREFIXES</code>.
        </p>
        {diagnostics.unrecognised.length === 0 ? (
          <EmptyState title="Every key seen decoded to an instance" />
        ) : (
          <UnrecognisedTable rows={diagnostics.unrecognised} />
        )}
      </section>
    </>
  );
}
