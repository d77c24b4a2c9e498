import { guarded } from '@/lib/server/auth/guard';
import { json } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

export function GET(request: Request): Promise<Response> {
  return guarded(request, 'viewer', (_principal, { registry, otlp, bodies, apiAdmission }) => {
    // Nodes outside the registry named by OTLP data, held within a cap, and the new names it refused;
    // OTLP requests in flight and waiting now, and those refused as busy since start; ingest and OTLP
    // request bodies held and arriving now, those refused (every place taken, the token's share
    // arriving) and those dropped as too slow since start; API requests in progress and waiting now,
    // and those refused since start (a client's share full, everyone's); duration histograms sent
    // with buckets in the other unit, by service and metric, since this process started; histogram
    // points refused because their buckets cannot be read (bounds not strictly increasing finite
    // numbers, bucket counts not one more than the bounds, a count below zero), and the last one.
    return json({
      ...registry.diagnostics(),
      externalNodes: otlp.externalNodes(),
      otlpRequests: otlp.inFlight.stats(),
      otlpBucketsInOtherUnit: otlp.metrics.bucketsInOtherUnit(),
      otlpMalformedHistograms: otlp.metrics.malformedHistograms(),
      requestBodies: bodies.stats(),
      apiRequests: apiAdmission.stats(),
    });
  });
}
