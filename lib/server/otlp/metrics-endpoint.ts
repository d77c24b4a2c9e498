import { attributeText, ExportMetricsRequestSchema } from '@/lib/model/otlp/schema';
import { otlpHandler } from './endpoint';
import { decodeMetricsRequest, encodePartialResponse, partialResponseJson } from './proto';

export const OTLP_METRICS_PATH = '/v1/metrics';

/** `POST /v1/metrics`: HTTP and RPC duration histograms into the series and edges. */
export const handleOtlpMetrics = otlpHandler({
  message: 'ExportMetricsServiceRequest',
  decodeProtobuf: decodeMetricsRequest,
  schema: ExportMetricsRequestSchema,
  services: (request) => request.resourceMetrics.map((r) => attributeText(r.resource.attributes, 'service.name')),
  accept: (runtime, request) => {
    const outcome = runtime.otlp.metrics.accept(request);
    runtime.metrics.counters.otlpPoints(outcome);
    return outcome;
  },
  encodeResponse: encodePartialResponse,
  responseJson: (partial) => partialResponseJson('rejectedDataPoints', partial),
});
