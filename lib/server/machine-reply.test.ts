import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Principal } from '@/lib/model/auth';
import { pipelineRequests } from '@/tests/support/pipelined';
import type { Auth } from './auth/service';
import { createBodyReception } from './body-reception';
import { guardedStep, receiveProgramBody, sendReply, withProgramPrincipal } from './machine-reply';

const PRINCIPAL: Principal = { kind: 'token', name: 'reporter', role: 'viewer', credentialId: 't1' };

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real node:http server on loopback running `handle` for every request; its base URL. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Only the two token lookups `withProgramPrincipal` makes. */
function tokens(cached: Principal | null | undefined, stored: Promise<Principal | null>): Pick<Auth, 'cachedToken' | 'authenticateToken'> {
  return { cachedToken: vi.fn(() => cached), authenticateToken: vi.fn(() => stored) };
}

describe('guardedStep', () => {
  it('answers a throw with a 500 and the server serves on', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = await serve((request, response) =>
      // A throw from a callback would otherwise escape into the process.
      setImmediate(() =>
        guardedStep(
          response,
          () => {
            if (request.url === '/throw') throw new Error('boom');
            sendReply(response, 200, 'text/plain', 'fine');
          },
          'the batch could not be recorded',
        ),
      ),
    );
    const failed = await fetch(`${url}/throw`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: 'internal', message: 'the batch could not be recorded' } });
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ message: 'boom' }));
    const next = await fetch(`${url}/ok`);
    expect([next.status, await next.text()]).toEqual([200, 'fine']);
    errors.mockRestore();
  });

  it('sends nothing more when the reply went out before the throw', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = await serve((_request, response) =>
      guardedStep(response, () => {
        sendReply(response, 202, 'text/plain', 'accepted');
        throw new Error('after the reply');
      }),
    );
    const reply = await fetch(url);
    expect([reply.status, await reply.text()]).toEqual([202, 'accepted']);
    errors.mockRestore();
  });
});

describe('withProgramPrincipal', () => {
  const bearer = { headers: { authorization: 'Bearer syd_secret' } } as IncomingMessage;

  it('goes on in the same turn when the token cache answers', () => {
    const auth = tokens(PRINCIPAL, Promise.resolve(null));
    const seen: (Principal | null)[] = [];
    withProgramPrincipal(auth as Auth, bearer, {} as ServerResponse, (principal) => seen.push(principal));
    expect(seen).toEqual([PRINCIPAL]);
    expect(auth.cachedToken).toHaveBeenCalledWith('syd_secret');
    expect(auth.authenticateToken).not.toHaveBeenCalled();
  });

  it('goes on with null at once for a header that is not a bearer token, and for a cached refusal', () => {
    const seen: (Principal | null)[] = [];
    withProgramPrincipal(tokens(PRINCIPAL, Promise.resolve(PRINCIPAL)) as Auth, { headers: { authorization: 'Basic abc' } } as IncomingMessage, {} as ServerResponse, (principal) => seen.push(principal));
    withProgramPrincipal(tokens(null, Promise.resolve(PRINCIPAL)) as Auth, bearer, {} as ServerResponse, (principal) => seen.push(principal));
    expect(seen).toEqual([null, null]);
  });

  it('asks the store when the cache cannot tell', async () => {
    const auth = tokens(undefined, Promise.resolve(PRINCIPAL));
    const seen = new Promise<Principal | null>((resolve) => withProgramPrincipal(auth as Auth, bearer, {} as ServerResponse, resolve));
    expect(await seen).toEqual(PRINCIPAL);
    expect(auth.authenticateToken).toHaveBeenCalledWith('syd_secret');
  });

  it('answers 500 when the store fails', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const url = await serve((request, response) =>
      withProgramPrincipal(tokens(undefined, Promise.reject(new Error('store down'))) as Auth, request, response, () => sendReply(response, 200, 'text/plain', 'let in')),
    );
    const reply = await fetch(url, { headers: { authorization: 'Bearer syd_secret' } });
    expect(reply.status).toBe(500);
    errors.mockRestore();
  });
});

describe('receiveProgramBody', () => {
  it('refuses a token sent as "Bearer%20<token>" saying %20 must be a space, and a plain unknown token without that hint, echoing no token', async () => {
    const auth = tokens(undefined, Promise.resolve(null)) as Auth;
    const url = await serve((request, response) => receiveProgramBody(auth, createBodyReception({}), request, response, 1024, () => sendReply(response, 200, 'text/plain', 'taken')));
    const encoded = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: 'Bearer%20syd_secret' }, body: '{}' });
    expect(encoded.status).toBe(401);
    const { error } = z.object({ error: z.object({ message: z.string() }) }).parse(await encoded.json());
    expect(error.message).toBe(
      'the Authorization header holds "%20" where "Bearer <token>" has a space: only OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_{TRACES,METRICS}_HEADERS are URL-decoded, a header set anywhere else is sent as written, so write the space there',
    );
    expect(error.message).not.toContain('syd_secret');
    const unknown = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { authorization: 'Bearer syd_secret' }, body: '{}' });
    expect([unknown.status, await unknown.json()]).toEqual([401, { error: { code: 'unauthenticated', message: 'unknown, expired or revoked API token' } }]);
  });

  it('frees the body places of uploads pipelined on a connection that drops, which get neither "finish" nor "close"', async () => {
    // Room for the bytes of three 2-byte bodies: held for good, they would refuse every later body.
    const bodies = createBodyReception({ maxReceivedBytes: 6 });
    const auth = tokens(PRINCIPAL, Promise.resolve(null)) as Auth;
    const url = await serve((request, response) => {
      // The first request is never answered, so the uploads' replies wait in Node's queue behind it.
      if (request.url === '/held') return;
      receiveProgramBody(auth, bodies, request, response, 1024, () => sendReply(response, 200, 'text/plain', 'taken'));
    });
    if (!server) throw new Error('the server listens');
    const upload = 'POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer syd_secret\r\nContent-Length: 2\r\n\r\n{}';
    const connection = await pipelineRequests(server, ['GET /held HTTP/1.1\r\nHost: x\r\n\r\n', upload, upload, upload]);
    await vi.waitFor(() => expect(bodies.stats()).toMatchObject({ held: 3, heldBytes: 6 }));
    await connection.drop();
    expect(bodies.stats()).toMatchObject({ held: 0, heldBytes: 0 });
    const later = await fetch(`${url}/ingest`, { method: 'POST', headers: { authorization: 'Bearer syd_secret' }, body: '{}' });
    expect([later.status, await later.text()]).toEqual([200, 'taken']);
  });
});
