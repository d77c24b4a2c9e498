import http from 'node:http';
import type net from 'node:net';
import { bodyDetail, cleanText, DETAIL_BYTES, networkCause, timeoutCause } from './causes';
import { failed, failedOn, passed, type ProbeOutcome } from './outcome';
import type { HostPort } from './target';

/** Bytes of a response body read at most; past that the socket is destroyed (a 10 MB body costs 64 KB). */
export const BODY_CAP_BYTES = 64 * 1024;

export interface HttpProbeOptions {
  agent: http.Agent;
  timeoutMs: number;
  /** Resolver for host names (checks every resolved IP against the policy); unset for IP literals. */
  lookup: net.LookupFunction | undefined;
}

const HEADERS = { 'user-agent': 'Switchyard-Prober/1', accept: '*/*' };
const MAX_LOCATION_CHARS = 200;

const isPassing = (status: number): boolean => status >= 200 && status < 300;

/** Redirects are never followed: the registration names one host:port and only that is probed. */
function statusOutcome(status: number, location: string | undefined, body: Buffer): ProbeOutcome {
  if (isPassing(status)) return passed;
  if (status >= 300 && status < 400) {
    const to = location ? ` to ${cleanText(location).slice(0, MAX_LOCATION_CHARS)}` : '';
    return failed(`HTTP ${status} redirect${to} (not followed)`);
  }
  return failed(`HTTP ${status}`, bodyDetail(body));
}

/** Node's documented case: a kept-alive socket the server closed just as it was reused. Worth one retry. */
function isStaleSocket(request: http.ClientRequest, error: NodeJS.ErrnoException): boolean {
  return request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
}

/**
 * GET http://host:port/path with one deadline over connect, headers and body. 2xx passes;
 * everything else fails with a readable cause. A 2xx whose body is still arriving at the deadline
 * (a trickle) fails as a timeout, like a Kubernetes HTTP probe; a body over 64 KB is cut off.
 */
export function probeHttp(target: HostPort & { path: string }, options: HttpProbeOptions): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let status: number | undefined;
    let location: string | undefined;
    let current: http.ClientRequest | undefined;
    const detail: Buffer[] = [];
    let detailBytes = 0;
    let bodyBytes = 0;

    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const answered = (): ProbeOutcome => statusOutcome(status ?? 0, location, Buffer.concat(detail));
    /** A failure after the headers: a failing status stays the cause; a 2xx becomes this failure. */
    const cutShort = (cause: string): ProbeOutcome =>
      status === undefined ? failed(cause) : isPassing(status) ? failed(`${cause} (HTTP ${status} body incomplete)`) : answered();

    const attempt = (isRetry: boolean): void => {
      let request: http.ClientRequest;
      try {
        request = http.request({ host: target.host, port: target.port, path: target.path, method: 'GET', agent: options.agent, lookup: options.lookup, headers: HEADERS });
      } catch (error) {
        finish(failedOn(error));
        return;
      }
      current = request;
      request.on('response', (response) => {
        status = response.statusCode ?? 0;
        location = response.headers.location;
        const keepDetail = status >= 400;
        response.on('data', (chunk: Buffer) => {
          bodyBytes += chunk.length;
          if (keepDetail && detailBytes < DETAIL_BYTES) {
            detail.push(chunk.subarray(0, DETAIL_BYTES - detailBytes));
            detailBytes += Math.min(chunk.length, DETAIL_BYTES - detailBytes);
          }
          if (bodyBytes > BODY_CAP_BYTES) {
            request.destroy();
            finish(answered());
          }
        });
        response.on('end', () => finish(answered()));
        response.on('error', (error) => finish(cutShort(networkCause(error))));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (!isRetry && status === undefined && isStaleSocket(request, error)) attempt(true);
        else finish(status === undefined ? failedOn(error) : cutShort(networkCause(error)));
      });
      request.end();
    };

    const deadline = setTimeout(() => {
      current?.destroy();
      finish(cutShort(timeoutCause(options.timeoutMs)));
    }, options.timeoutMs);
    attempt(false);
  });
}
