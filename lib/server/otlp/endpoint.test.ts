import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Principal } from '@/lib/model/auth';
import { pipelineRequests } from '@/tests/support/pipelined';
import type { Auth } from '../auth/service';
import { createBodyReception } from '../body-reception';
import type { OtlpIntake } from './intake';
import { createInFlightLimit } from './in-flight';
import { otlpHandler, type OtlpRuntime, type OtlpSignal } from './endpoint';

const PRINCIPAL: Principal = { kind: 'token', name: 'exporter', role: 'viewer', credentialId: 't1' };

/** A signal that takes any JSON object and records nothing but how many it took: the test is about places, not decoding. */
function anything(): OtlpSignal<object> & { accepted: number } {
  return {
    accepted: 0,
    message: 'Anything',
    decodeProtobuf: () => ({}),
    schema: z.object({}),
    services: () => [],
    accept() {
      this.accepted += 1;
      return { observed: 0, rejected: 0, externalOverflow: 0 };
    },
    encodeResponse: () => new Uint8Array(),
    responseJson: () => '{}',
  };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('otlpHandler', () => {
  it('frees the processing places of exports pipelined on a connection that drops, which get neither "finish" nor "close"', async () => {
    const inFlight = createInFlightLimit(2);
    const runtime = {
      auth: { cachedToken: () => PRINCIPAL } as unknown as Auth,
      bodies: createBodyReception(),
      otlp: { inFlight } as OtlpIntake,
    } as OtlpRuntime;
    const signal = anything();
    const handle = otlpHandler(signal);
    const listening = createServer((request, response) => {
      // The first request is never answered, so the exports' replies wait in Node's queue behind it.
      if (request.url !== '/held') handle(request, response, runtime);
    });
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const exported = 'POST /v1/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}';
    const connection = await pipelineRequests(listening, ['GET /held HTTP/1.1\r\nHost: x\r\n\r\n', exported, exported]);
    // Both answered (the reply follows at once), each holding its place until its reply is sent.
    await vi.waitFor(() => expect(signal.accepted).toBe(2));
    expect(inFlight.stats().inFlight).toBe(2);
    await connection.drop();
    expect(inFlight.stats().inFlight).toBe(0);
    const { port } = listening.address() as AddressInfo;
    const later = await fetch(`http://127.0.0.1:${port}/v1/metrics`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{}' });
    expect([later.status, await later.text()]).toEqual([200, '{}']);
  });
});

describe('otlpHandler refusing a scoped token', () => {
  it('names the service.name the export carried, cut at 256 characters, its control and bidi characters escaped: it echoes what the sender wrote', async () => {
    const runtime = {
      auth: { cachedToken: () => ({ ...PRINCIPAL, scope: 'orders' }) } as unknown as Auth,
      bodies: createBodyReception(),
      otlp: { inFlight: createInFlightLimit(1) } as OtlpIntake,
    } as OtlpRuntime;
    // C1 CSI (ESC [ on some terminals), DEL and an RTL override: JSON's own escaping leaves them as they are.
    const carried = `\u009b2J\u007f\u202e${'x'.repeat(4_000)}`;
    const handle = otlpHandler({ ...anything(), services: () => [carried] });
    const listening = createServer((request, response) => handle(request, response, runtime));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const { port } = listening.address() as AddressInfo;
    const refused = await fetch(`http://127.0.0.1:${port}/v1/metrics`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(403);
    const { message } = z.object({ error: z.object({ message: z.string() }) }).parse(await refused.json()).error;
    expect(message).toBe(`this token may only report for service orders; this export's resource service.name is "\\x9b2J\\x7f\\u202e${'x'.repeat(251)}" (its first 256 of 4005 characters)`);
  });
});
