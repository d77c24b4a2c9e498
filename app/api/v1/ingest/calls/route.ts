import { IngestBatchSchema } from '@/lib/model/ingest';
import { handle, json, jsonError, readJsonBody, validationError } from '@/lib/server/http';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** 1,000 calls with 64 buckets each fit comfortably; anything larger is not a call report. */
const MAX_BODY_BYTES = 1024 * 1024;

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const body = await readJsonBody(request, MAX_BODY_BYTES);
    if (!body.ok) return body.response;
    const parsed = IngestBatchSchema.safeParse(body.value);
    if (!parsed.success) return validationError(parsed.error);
    const runtime = getRuntime();
    const outcome = runtime.latency.ingest(parsed.data);
    if (!outcome.ok) return jsonError(422, 'clock_skew', outcome.message, outcome.field);
    runtime.metrics.counters.ingested(outcome.calls, outcome.reanchored);
    return json({ accepted: outcome.calls, ...(outcome.reanchored ? { clock: 'reanchored to server time' } : {}) }, 202);
  });
}
