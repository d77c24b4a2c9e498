import http from 'node:http';
import { eventually, type TestServer } from './server';

/**
 * OTLP requests whose bodies never finish (one byte of 1,000): each holds a body's place
 * (`body-reception.ts`), and its token's share of bodies arriving, until `release` drops them all.
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

/** Resolves once the request bodies (`switchyard_request_bodies` on /metrics) are `expected`. */
export async function requestBodiesReach(server: TestServer, expected: { held?: number; receiving?: number }): Promise<void> {
  await eventually(async () => {
    const text = await (await server.fetch('/metrics')).text();
    const value = (state: string): number => Number(new RegExp(`^switchyard_request_bodies\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return (expected.held === undefined || value('held') === expected.held) && (expected.receiving === undefined || value('receiving') === expected.receiving) ? true : undefined;
  }, 10_000, `request bodies: ${JSON.stringify(expected)}`);
}

/** The OTLP intake's processing places taken and waited for now (`switchyard_otlp_requests` on /metrics). */
export async function otlpRequestsNow(server: TestServer): Promise<{ inFlight: number; waiting: number }> {
  const text = await (await server.fetch('/metrics')).text();
  const value = (state: string): number => Number(new RegExp(`^switchyard_otlp_requests\\{state="${state}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { inFlight: value('in_flight'), waiting: value('waiting') };
}
