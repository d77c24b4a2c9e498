import { EventEmitter } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Principal } from '@/lib/model/auth';
import { createCheckedVisitors, pageVisitor } from './auth/checked-visitors';
import type { Auth } from './auth/service';
import type { Config } from './config';
import type { DatabaseOutage } from './database-outage';
import { markFromDatabase } from './history/unreachable';
import { answeredDuringOutage } from './page-outage';

const VIEWER: Principal = { kind: 'session', name: 'viewer-1', role: 'viewer', credentialId: 'hash-1' };

/** A runtime in a database outage whose auth answers from memory, counting the lookups. */
function outageRuntime() {
  const lookups: string[] = [];
  const auth = { authenticateSession: (secret: string) => (lookups.push(secret), Promise.resolve(VIEWER)) } as unknown as Auth;
  const runtime = {
    auth,
    checkedVisitors: createCheckedVisitors(),
    config: {} as Config,
    database: { since: () => 1 } as unknown as DatabaseOutage,
  };
  return { runtime, lookups };
}

const pageRequest = (): IncomingMessage =>
  ({ method: 'GET', url: '/services', headers: { accept: 'text/html', cookie: 'switchyard_session=secret-1' }, socket: Object.assign(new EventEmitter(), { destroyed: false }) }) as unknown as IncomingMessage;

describe('a page request during a database outage', () => {
  it('has its sign-in checked once: the page takes the answer server.ts got ahead of Next', async () => {
    const { runtime, lookups } = outageRuntime();
    const request = pageRequest();
    const response = new EventEmitter() as ServerResponse;
    expect(await answeredDuringOutage(request, response, runtime)).toBe(false);
    expect(await pageVisitor(runtime.auth, runtime.checkedVisitors, request.headers, false)).toEqual(VIEWER);
    expect(lookups).toEqual(['secret-1']);
  });

  it('forgets the answer once the response is done, and never takes one a client named', async () => {
    const { runtime, lookups } = outageRuntime();
    const request = pageRequest();
    const response = new EventEmitter() as ServerResponse;
    await answeredDuringOutage(request, response, runtime);
    response.emit('close');
    await pageVisitor(runtime.auth, runtime.checkedVisitors, request.headers, false);
    const forged = { ...pageRequest().headers, 'x-switchyard-checked': 'made-up' };
    await pageVisitor(runtime.auth, runtime.checkedVisitors, forged, false);
    expect(lookups).toHaveLength(3);
  });

  it('keeps no answer for a client that left while its sign-in was checked (its response closed before)', async () => {
    const { runtime } = outageRuntime();
    let answer = (principal: Principal): void => void principal;
    runtime.auth = { authenticateSession: () => new Promise<Principal>((resolve) => (answer = resolve)) } as unknown as Auth;
    const request = pageRequest();
    const response = Object.assign(new EventEmitter(), { destroyed: false }) as unknown as ServerResponse;
    const checking = answeredDuringOutage(request, response, runtime);
    Object.assign(response, { destroyed: true }).emit('close');
    answer(VIEWER);
    await checking;
    expect(runtime.checkedVisitors.get(request.headers)).toBeUndefined();
  });

  it('forgets the answer when its connection drops, though a response pipelined behind another emits nothing', async () => {
    const { runtime } = outageRuntime();
    const request = pageRequest();
    await answeredDuringOutage(request, new EventEmitter() as ServerResponse, runtime);
    expect(runtime.checkedVisitors.get(request.headers)).toEqual(VIEWER);
    Object.assign(request.socket, { destroyed: true }).emit('close');
    expect(runtime.checkedVisitors.get(request.headers)).toBeUndefined();
  });

  it('leaves a request for an API route reached through dot segments to the API (its JSON 503), and still answers a page so reached', async () => {
    const { runtime } = outageRuntime();
    runtime.auth = { authenticateSession: () => Promise.reject(markFromDatabase(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))) } as unknown as Auth;
    // Next stands for itself by an answer of its own: an API route would say database_unavailable in JSON.
    const server = http.createServer((request, response) => void answeredDuringOutage(request, response, runtime).then((answered) => answered || response.end('to Next')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // Raw targets: node:http sends the path as written (fetch would resolve the dot segments first).
      const answer = (path: string) =>
        new Promise<[number | undefined, string]>((resolve, reject) =>
          http
            .get({ port, path, agent: false, headers: { accept: 'text/html', cookie: 'switchyard_session=secret-1' } }, (response) => {
              let body = '';
              response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
              response.on('end', () => resolve([response.statusCode, body.startsWith('<!doctype html>') ? 'outage page' : body]));
            })
            .on('error', reject),
        );
      const answers = await Promise.all(['/./api/v1/alerts', '/%2e/api/v1/alerts', '/x/../api/v1/alerts', '/x/%2E%2e/api/v1/alerts', '/./services'].map(answer));
      expect(answers).toEqual([[200, 'to Next'], [200, 'to Next'], [200, 'to Next'], [200, 'to Next'], [503, 'outage page']]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
