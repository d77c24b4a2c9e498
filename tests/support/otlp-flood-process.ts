/**
 * An OTLP flood for load tests, run as a child process by `tests/support/ingest-flood.ts`:
 * `CLIENTS` concurrent clients post the same big `ExportMetricsServiceRequest` (protobuf, encoded by
 * protobufjs from the vendored opentelemetry-proto; `RESOURCES_PER_EXPORT` services of 20
 * cumulative 16-bucket histogram points each) back to back for `DURATION_MS`, then the process
 * prints `{"accepted": …, "refused": …}` on one line and exits. A timer ends it 15 s after that.
 */
import path from 'node:path';
import protobuf from 'protobufjs';
import { z } from 'zod';

const env = z
  .object({
    TARGET_URL: z.url(),
    TOKEN: z.string().min(1),
    CLIENTS: z.coerce.number().int().min(1).max(64),
    DURATION_MS: z.coerce.number().int().min(1_000).max(120_000),
    RESOURCES_PER_EXPORT: z.coerce.number().int().min(1).max(500),
  })
  .parse(process.env);

const REQUEST_TIMEOUT_MS = 10_000;
setTimeout(() => process.exit(2), env.DURATION_MS + 15_000).unref();

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(import.meta.dirname, '../../lib/server/otlp/proto', target);
const type = root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto').lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const now = `${Date.now()}000000`;
const encoded = type
  .encode(
    type.fromObject({
      resourceMetrics: Array.from({ length: env.RESOURCES_PER_EXPORT }, (_, r) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `flood-${r}` } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'http.server.request.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: Array.from({ length: 20 }, (_, p) => ({
                    attributes: [{ key: 'http.route', value: { stringValue: `/route-${p}` } }],
                    startTimeUnixNano: '1',
                    timeUnixNano: now,
                    count: 100,
                    bucketCounts: [...Array<number>(16).fill(5), 20],
                    explicitBounds: Array.from({ length: 16 }, (_, i) => 0.001 * 2 ** i),
                  })),
                },
              },
            ],
          },
        ],
      })),
    }),
  )
  .finish();
const body = new Blob([new Uint8Array(encoded)]);

const until = Date.now() + env.DURATION_MS;
let accepted = 0;
let refused = 0;
const client = async (): Promise<void> => {
  while (Date.now() < until) {
    const response = await fetch(new URL('/v1/metrics', env.TARGET_URL), {
      method: 'POST',
      headers: { authorization: `Bearer ${env.TOKEN}`, 'content-type': 'application/x-protobuf' },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) accepted += 1;
    else refused += 1;
  }
};
await Promise.all(Array.from({ length: env.CLIENTS }, client));
process.stdout.write(`${JSON.stringify({ accepted, refused })}\n`);
process.exit(0);
