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

const registry = (state: string) => ({ state, since: new Date(0).toISOString() });
const readyz = (state: string) => Response.json({ status: state === 'synced' ? 'ready' : 'not_ready', registry: registry(state) }, { status: state === 'synced' ? 200 : 503 });

/**
 * Runs `drain a/a-1 --wait` on a virtual clock: the POST is answered normally, each polling GET
 * with the next of `polls` (the last repeats), each GET of /readyz with the next of `ready`.
 * Sleeping and request timeouts advance the clock instead of waiting, so a deadline minutes away
 * is reached at once.
 */
async function drainWait(polls: Answer[], extra: string[] = [], ready: Answer[] = [readyz('synced')]) {
  let nowMs = 0;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const requests: { method: string; url: string; at: number; timeoutMs: number }[] = [];
  const timers = new Map<AbortSignal, number>();
  let polled = 0;
  let readied = 0;
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
    fetch: (url, init) => {
      const signal = init?.signal ?? undefined;
      requests.push({ method: init?.method ?? 'GET', url: String(url), at: nowMs, timeoutMs: signal ? (timers.get(signal) ?? -1) : -1 });
      if (init?.method === 'POST') return Promise.resolve(Response.json(drained()));
      const answer = String(url).endsWith('/readyz') ? ready[Math.min(readied++, ready.length - 1)] : polls[Math.min(polled++, polls.length - 1)];
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
/** A service answer, or its 404, from a server that says where its registry stands. */
const serviceFrom = (state: string, instances: unknown[]) => Response.json({ name: 'a', registry: registry(state), instances });
const notFoundFrom = (state: string) => Response.json({ error: { code: 'not_found', message: 'no service named "a" is registered', field: 'service' }, registry: registry(state) }, { status: 404 });
const notFound = () => Response.json({ error: { code: 'not_found', message: 'no service named "a" is registered', field: 'service' } }, { status: 404 });
const polls = (requests: { url: string }[]) => requests.filter((r) => r.url.endsWith('/api/v1/services/a')).length;
const readyChecks = (requests: { url: string }[]) => requests.filter((r) => r.url.endsWith('/readyz')).length;

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

  it('keeps waiting through a 404 from a server not yet synced with etcd (just restarted), then ends once the instance is idle', async () => {
    const { code, stdout, stderr, requests } = await drainWait([notFoundFrom('connecting'), notFoundFrom('connecting'), serviceFrom('synced', [drained('draining')]), serviceFrom('synced', [drained('drained')])]);
    expect(code).toBe(EXIT.ok);
    expect(stdout.at(-1)).toBe('a/a-1 is idle: no calls for the quiet period');
    // One note for the two polls; the answer said where its registry stands, so /readyz was not asked.
    expect(stderr).toEqual(["switchyard: cannot read a/a-1's state (the Switchyard that answered is not in sync with etcd (connecting) and does not show it drained); retrying until the deadline"]);
    expect(readyChecks(requests)).toBe(0);
  });

  it('says a 404 from a synced server, twice a poll apart, is the instance gone (exit 3)', async () => {
    const { code, stdout, requests } = await drainWait([notFoundFrom('synced')]);
    expect(code).toBe(EXIT.refused);
    expect(stdout.at(-1)).toBe('switchyard: a/a-1 is no longer drained (lifted or deregistered)');
    expect(polls(requests)).toBe(2);
  });

  it('takes idle as the go-ahead only from a server in sync with etcd', async () => {
    const behind = await drainWait([serviceFrom('connecting', [drained('drained')]), serviceFrom('synced', [drained('drained')])]);
    expect(behind.code).toBe(EXIT.ok);
    expect(polls(behind.requests)).toBe(2);
    expect((await drainWait([serviceFrom('connecting', [drained('drained')])])).code).toBe(EXIT.timeout);
  });

  it('keeps waiting when a synced replica a moment behind the drain\u2019s write shows it undrained once', async () => {
    const { code, requests } = await drainWait([serviceFrom('synced', [{ ...drained(), drain: null }]), serviceFrom('synced', [drained('drained')])]);
    expect(code).toBe(EXIT.ok);
    expect(polls(requests)).toBe(2);
  });

  it('keeps waiting while a server catching up with etcd lists the service without the instance, or without its drain', async () => {
    for (const instances of [[], [{ ...drained(), drain: null }]]) {
      const { code, stdout, elapsedMs } = await drainWait([serviceFrom('connecting', instances)]);
      expect(code).toBe(EXIT.timeout);
      expect(elapsedMs).toBe(60_000);
      expect(stdout.at(-1)).toBe('switchyard: timed out after 60s: a/a-1 could not be checked: the Switchyard that answered is not in sync with etcd (connecting) and does not show it drained; the drain stays in place');
    }
    const unreachable = await drainWait([serviceFrom('unreachable', []), serviceFrom('synced', [drained('drained')])]);
    expect(unreachable.code).toBe(EXIT.ok);
  });

  it('asks /readyz of a server that does not say where its registry stands: gone only once it is ready', async () => {
    // An older server: its 404 carries no registry. /readyz says 503 (not synced), then 200.
    const notReady = await drainWait([notFound(), service('drained')], [], [readyz('connecting')]);
    expect(notReady.code).toBe(EXIT.ok);
    expect(notReady.stderr.join('\n')).toMatch(/shows it deregistered but \/readyz does not say it is in sync with etcd/);
    const ready = await drainWait([notFound(), notFound()], [], [readyz('connecting'), readyz('synced')]);
    expect(ready.code).toBe(EXIT.refused);
    expect(polls(ready.requests)).toBe(3);
    expect(readyChecks(ready.requests)).toBe(3);
    // Unauthenticated, and bounded like any request.
    expect(ready.requests.filter((r) => r.url.endsWith('/readyz')).every((r) => r.url === 'http://dashboard.test/readyz' && r.timeoutMs === 10_000)).toBe(true);
    // /readyz unreachable, or a proxy's page: not a ready answer.
    const noAnswer = await drainWait([notFound()], ['--timeout', '5s'], ['reset']);
    expect(noAnswer.code).toBe(EXIT.timeout);
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
