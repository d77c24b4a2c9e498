import { attributeText } from '@/lib/model/otlp/schema';
import { ExportTraceRequestSchema } from '@/lib/model/otlp/trace-schema';
import { otlpHandler } from './endpoint';
import { decodeTraceRequest, encodePartialResponse, partialResponseJson } from './proto';

export const OTLP_TRACES_PATH = '/v1/traces';

/** `POST /v1/traces`: spans into the service graph (edges, series, queue and database nodes). */
export const handleOtlpTraces = otlpHandler({
  message: 'ExportTraceServiceRequest',
  decodeProtobuf: decodeTraceRequest,
  schema: ExportTraceRequestSchema,
  services: (request) => request.resourceSpans.map((r) => attributeText(r.resource.attributes, 'service.name')),
  accept: (runtime, request) => {
    const outcome = runtime.otlp.traces.accept(request);
    runtime.metrics.counters.otlpSpans(outcome);
    return outcome;
  },
  encodeResponse: encodePartialResponse,
  responseJson: (partial) => partialResponseJson('rejectedSpans', partial),
});
