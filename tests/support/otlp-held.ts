import http from 'node:http';
import { eventually, type TestServer } from './server';

/**
 * OTLP requests whose bodies never finish: each takes one of the intake's places, or waits for one,
 * until `release` drops them all.
 */
export function holdOtlpRequests(serverUrl: string, path: '/v1/metrics' | '/v1/traces', token: string, count: number): { release(): void } {
  const url = new URL(serverUrl);
  const held = Array.from({ length: count }, () => {
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path,
      method: 'POST',
      // A fresh socket each (no pooling): a held request must not queue behind another in the client.
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': '1000', authorization: `Bearer ${token}` },
    });
    request.on('error', () => undefined);
    request.write('{');
    return request;
  });
  return { release: () => held.forEach((request) => request.destroy()) };
}

/** Resolves once the intake's requests (`switchyard_otlp_requests` on /metrics) are `expected`. */
export async function otlpRequestsReach(server: TestServer, expected: { inFlight: number; waiting: number }): Promise<void> {
  await eventually(async () => {
    const text = await (await server.fetch('/metrics')).text();
    const value = (state: string): number => Number(new RegExp(`^switchyard_otlp_requests\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return value('in_flight') === expected.inFlight && value('waiting') === expected.waiting ? true : undefined;
  }, 10_000, `OTLP requests: ${expected.inFlight} in flight, ${expected.waiting} waiting`);
}
