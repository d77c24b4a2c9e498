import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigSchema } from '@/lib/server/config';
import { startEtcd, type TestEtcd } from '../support/etcd';
import { eventually, startServer, type TestServer } from '../support/server';

/**
 * 1,100 parallel API requests from one token used to go to Next together: `/healthz` was answered
 * after all of them (1.4–6.5 s on a real server), and every other user waited too. API requests now
 * take a place per client and in all, ahead of Next, past a short wait refused with 429.
 *
 * The flood's own client first holds all its places with requests whose bodies are not yet sent
 * (each acknowledged with `100 Continue`, so the server has them), so the requests that wait for a
 * place provably stay in flight until the test lets them go: "answered during the flood" is a
 * condition, not a race against a clock.
 */
const FLOOD = 1_100;
const CLIENT_IN_FLIGHT = ConfigSchema.shape.SWITCHYARD_API_CLIENT_CONCURRENCY.parse(undefined);
const CLIENT_WAITING = ConfigSchema.shape.SWITCHYARD_API_CLIENT_QUEUE.parse(undefined);
const HELD_BODY = '{}';

let etcd: TestEtcd;
let server: TestServer;

beforeAll(async () => {
  etcd = await startEtcd();
  server = await startServer({ etcdEndpoints: etcd.endpoints });
  await eventually(async () => ((await server.fetch('/readyz')).status === 200 ? true : undefined), 10_000, 'ready');
});
afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
});

interface Answer {
  status: number | string;
  retryAfter: string | undefined;
  code: string | undefined;
}

/** One request on its own connection; resolves with its answer, or the connection's error code. */
function send(request: http.ClientRequest): Promise<Answer> {
  return new Promise((resolve) => {
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        const parsed: unknown = text.startsWith('{') ? JSON.parse(text) : undefined;
        const code = (parsed as { error?: { code?: string } } | undefined)?.error?.code;
        resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], code });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? error.message, retryAfter: undefined, code: undefined }));
  });
}

const get = (path: string, headers: Record<string, string> = {}): Promise<Answer> =>
  send(http.get({ host: '127.0.0.1', port: new URL(server.url).port, path, agent: false, headers }));

/** A POST the server has received (`100 Continue`) whose body is sent only at `release()`. */
async function heldPost(path: string, token: string): Promise<{ answer: Promise<Answer>; release(): void }> {
  const request = http.request({
    host: '127.0.0.1',
    port: new URL(server.url).port,
    path,
    method: 'POST',
    agent: false,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(HELD_BODY.length), expect: '100-continue' },
  });
  const answer = send(request);
  await new Promise<void>((resolve) => request.once('continue', resolve));
  return { answer, release: () => request.end(HELD_BODY) };
}

describe('API flood from one client', () => {
  it('answers /healthz, /readyz, /metrics and another client while the flood waits, refuses the rest with 429 and Retry-After, counts them on /metrics and Diagnostics, and loses nothing', async () => {
    const flooder = await server.createToken({ name: 'flooder', role: 'operator' });
    const other = await server.createToken({ name: 'other', role: 'viewer' });
    const held = await Promise.all(Array.from({ length: CLIENT_IN_FLIGHT }, () => heldPost('/api/v1/alerts/silences', flooder)));

    let floodAnswered = 0;
    let allButWaitingAnswered = (): void => undefined;
    const refusalsIn = new Promise<void>((resolve) => (allButWaitingAnswered = resolve));
    const flood = Array.from({ length: FLOOD }, () =>
      get('/api/v1/alerts', { authorization: `Bearer ${flooder}` }).then((answer) => {
        floodAnswered += 1;
        if (floodAnswered === FLOOD - CLIENT_WAITING) allButWaitingAnswered();
        return answer;
      }),
    );
    /** An answer, with how many of the flood's requests were still unanswered when it came. */
    const duringFlood = (answer: Promise<Answer>): Promise<{ status: Answer['status']; floodPending: number }> => answer.then(({ status }) => ({ status, floodPending: FLOOD - floodAnswered }));
    const others = await Promise.all([
      duringFlood(get('/healthz')),
      duringFlood(get('/readyz')),
      duringFlood(get('/metrics', { authorization: `Bearer ${other}` })),
      duringFlood(get('/api/v1/alerts', { authorization: `Bearer ${other}` })),
    ]);
    for (const answer of others) {
      expect(answer.status).toBe(200);
      // Those waiting for the flood's held places cannot have been answered yet.
      expect(answer.floodPending).toBeGreaterThanOrEqual(CLIENT_WAITING);
    }

    // Every flood request has reached the server (all but those waiting are answered) before a place frees.
    await refusalsIn;
    // Counted where the operator looks, while the flood's places are still held and its 64 still wait.
    const refused = FLOOD - CLIENT_WAITING;
    const metrics = await (await server.fetch('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`^switchyard_api_requests_refused_total\\{reason="client_queue_full"\\} ${refused}$`, 'm'));
    expect(metrics).toMatch(/^switchyard_api_requests_refused_total\{reason="total_queue_full"\} 0$/m);
    expect(metrics).toMatch(new RegExp(`^switchyard_api_requests\\{state="in_flight"\\} ${CLIENT_IN_FLIGHT}$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^switchyard_api_requests\\{state="waiting"\\} ${CLIENT_WAITING}$`, 'm'));
    const diagnostics = z
      .object({ apiRequests: z.object({ inFlight: z.number(), waiting: z.number(), refused: z.object({ client: z.number(), total: z.number() }) }) })
      .parse(await (await server.fetch('/api/v1/diagnostics')).json());
    // The diagnostics request holds a place of its own while it is answered.
    expect(diagnostics.apiRequests).toEqual({ inFlight: CLIENT_IN_FLIGHT + 1, waiting: CLIENT_WAITING, refused: { client: refused, total: 0 } });
    const page = await (await server.fetch('/diagnostics', { headers: { cookie: await server.userSession('diagnostics-viewer', 'viewer') } })).text();
    expect(page).toContain(`<dt>API requests refused</dt><dd>${new Intl.NumberFormat('en').format(refused)}</dd>`);
    for (const request of held) request.release();
    const heldAnswers = await Promise.all(held.map((request) => request.answer));
    const answers = await Promise.all(flood);
    const counts = new Map<string, number>();
    for (const { status } of [...heldAnswers, ...answers]) counts.set(String(status), (counts.get(String(status)) ?? 0) + 1);
    console.info(`api flood: ${JSON.stringify(Object.fromEntries(counts))}`);
    // The held requests were answered by their route (an empty silence is invalid), not refused.
    for (const { status } of heldAnswers) expect(status).toBe(422);
    const refusals = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(CLIENT_WAITING);
    expect(refusals).toHaveLength(refused);
    for (const answer of refusals) expect(answer).toEqual({ status: 429, retryAfter: '1', code: 'too_many_requests' });
    // The server serves the flooding client again once its places are free.
    expect((await get('/api/v1/alerts', { authorization: `Bearer ${flooder}` })).status).toBe(200);
  });
});
