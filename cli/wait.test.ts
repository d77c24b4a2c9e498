import { describe, expect, it } from 'vitest';
import { EXIT } from './exit';
import { run } from './main';

const drained = (drainState?: string) => ({
  id: 'a-1',
  service: 'a',
  key: '/services/a/a-1',
  address: '127.0.0.1:1',
  format: 'native',
  metadata: {},
  status: 'passing',
  drain: { by: 'token:ci', reason: 't', at: new Date(0).toISOString() },
  ...(drainState ? { drainState } : {}),
});

type Answer = Response | 'reset' | 'hang';

/**
 * Runs `drain a/a-1 --wait` on a virtual clock: the POST is answered normally, each polling GET
 * with the next of `polls` (the last repeats). Sleeping and request timeouts advance the clock
 * instead of waiting, so a deadline minutes away is reached at once.
 */
async function drainWait(polls: Answer[], extra: string[] = []) {
  let nowMs = 0;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const requests: { method: string; at: number; timeoutMs: number }[] = [];
  const timers = new Map<AbortSignal, number>();
  let polled = 0;
  const code = await run(['drain', 'a/a-1', '--reason', 't', '--wait', '--timeout', '60s', '--url', 'http://dashboard.test', ...extra], {
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    env: { SWITCHYARD_TOKEN: 'syd_test' },
    now: () => nowMs,
    sleep: (ms) => {
      nowMs += ms;
      return Promise.resolve();
    },
    abortAfter: (ms) => {
      const controller = new AbortController();
      timers.set(controller.signal, ms);
      return controller.signal;
    },
    fetch: (_url, init) => {
      const signal = init?.signal ?? undefined;
      requests.push({ method: init?.method ?? 'GET', at: nowMs, timeoutMs: signal ? (timers.get(signal) ?? -1) : -1 });
      if (init?.method === 'POST') return Promise.resolve(Response.json(drained()));
      const answer = polls[Math.min(polled++, polls.length - 1)];
      if (answer === 'reset') return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }));
      if (answer === 'hang') {
        // Never answers; only the request's timeout ends it, at the virtual time it was set for.
        return new Promise<Response>((_resolve, reject) => {
          if (!signal) return;
          setImmediate(() => {
            nowMs += timers.get(signal) ?? 0;
            reject(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
          });
        });
      }
      // A clone, so the last answer can repeat.
      return Promise.resolve(answer ? answer.clone() : new Response(null, { status: 500 }));
    },
  });
  return { code, stdout, stderr, requests, elapsedMs: nowMs };
}

const service = (drainState: string) => Response.json({ name: 'a', instances: [drained(drainState)] });

describe('drain --wait', () => {
  it('retries a 503, a 429, an HTML page and a reset connection, then ends once the instance is idle', async () => {
    const { code, stdout, stderr } = await drainWait([
      Response.json({ error: { code: 'registry_unavailable', message: 'etcd is unreachable' } }, { status: 503 }),
      new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }),
      new Response('<html>bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      'reset',
      service('drained'),
    ]);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toEqual(['drained a/a-1', 'a/a-1 is idle: no calls for the quiet period']);
    expect(stderr.join('\n')).toMatch(/etcd is unreachable.*retrying/);
    expect(stderr.join('\n')).toContain('ECONNRESET');
  });

  it('waits as long as Retry-After asks before asking again', async () => {
    const { requests } = await drainWait([new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }), service('drained')]);
    const [first, second] = requests.filter((r) => r.method === 'GET');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBe(7_000);
  });

  it('gives up at the deadline when polls hang, with the timeout exit code', async () => {
    const { code, stdout, requests, elapsedMs } = await drainWait(['hang'], ['--timeout', '25s']);
    expect(code).toBe(EXIT.timeout);
    expect(elapsedMs).toBe(25_000);
    // Every request is bounded, the last by what is left of the deadline.
    expect(requests.filter((r) => r.method === 'GET').map((r) => r.timeoutMs)).toEqual([10_000, 10_000, 5_000]);
    expect(stdout.at(-1)).toMatch(/^switchyard: timed out after 25s: a\/a-1 could not be checked: no answer within 5 s; the drain stays in place$/);
  });

  it('times out while the server keeps failing, instead of calling the drain lifted', async () => {
    const { code, stdout, elapsedMs } = await drainWait([new Response('<html>maintenance</html>', { status: 503 })]);
    expect(code).toBe(EXIT.timeout);
    expect(elapsedMs).toBe(60_000);
    expect(stdout.at(-1)).toMatch(/timed out after 60s: .*HTTP 503/);
  });

  it('still says when the drain was lifted', async () => {
    const { code, stdout } = await drainWait([Response.json({ name: 'a', instances: [{ ...drained(), drain: null }] })]);
    expect(code).toBe(EXIT.refused);
    expect(stdout.at(-1)).toBe('switchyard: a/a-1 is no longer drained (lifted or deregistered)');
  });

  it('stops with the auth exit code when the token is refused while polling', async () => {
    const { code, stdout } = await drainWait([Response.json({ error: { code: 'unauthenticated', message: 'unknown, expired or revoked API token' } }, { status: 401 })]);
    expect(code).toBe(EXIT.auth);
    expect(stdout.at(-1)).toMatch(/unknown, expired or revoked API token/);
  });
});

describe('drain and undrain requests', () => {
  const once = async (argv: string[], answer: () => Promise<Response>) => {
    const stdout: string[] = [];
    const code = await run([...argv, '--url', 'http://dashboard.test'], {
      out: (line) => stdout.push(line),
      err: () => undefined,
      env: { SWITCHYARD_TOKEN: 'syd_test' },
      now: () => 0,
      sleep: () => Promise.resolve(),
      abortAfter: () => new AbortController().signal,
      fetch: answer,
    });
    return { code, stdout };
  };

  it.each([401, 403])('answers %i with the auth exit code, not "refused"', async (status) => {
    const { code, stdout } = await once(['drain', 'a/a-1', '--reason', 't'], () => Promise.resolve(Response.json({ error: { code: 'forbidden', message: 'operators only' } }, { status })));
    expect(code).toBe(EXIT.auth);
    expect(stdout).toEqual(['switchyard: operators only (check the API token: an operator token from the Access page)']);
  });

  it('counts a 429 as a server error, not a refusal', async () => {
    const { code } = await once(['undrain', 'a/a-1'], () => Promise.resolve(new Response('busy', { status: 429 })));
    expect(code).toBe(EXIT.error);
  });

  it('counts a reset connection as a network error, not bad input', async () => {
    const { code, stdout } = await once(['undrain', 'a/a-1'], () => Promise.reject(new TypeError('fetch failed', { cause: new Error('socket hang up') })));
    expect(code).toBe(EXIT.error);
    expect(stdout).toEqual(['switchyard: cannot reach Switchyard at http://dashboard.test/api/v1/services/a/instances/a-1/drain: fetch failed (socket hang up)']);
  });
});
