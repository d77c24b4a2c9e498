import { afterEach, describe, expect, it, vi } from 'vitest';
import { drainInstance, drainMatching, failureFrom, instanceDrainUrl, undrainInstance } from './drainApi';

const instance = { id: 'a/b', service: 'pay', key: '/services/pay/a/b', address: '1.2.3.4:80', format: 'native', metadata: {}, status: 'passing', drain: null };

function answer(status: number, body: unknown): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('failureFrom', () => {
  it('reads the contract error with the current drain', () => {
    const current = { by: 'alice', reason: 'deploy', at: '2025-01-01T00:00:00Z' };
    expect(failureFrom(409, 'Conflict', JSON.stringify({ error: { code: 'already_drained', message: 'm' }, current }))).toEqual({
      kind: 'http',
      status: 409,
      code: 'already_drained',
      message: 'm',
      current,
    });
    expect(failureFrom(422, '', JSON.stringify({ error: { code: 'invalid', message: 'reason: required', field: 'reason' } }))).toMatchObject({ field: 'reason' });
  });
  it('says the status when the body is not the contract', () => {
    expect(failureFrom(502, 'Bad Gateway', '<html>')).toEqual({ kind: 'http', status: 502, code: 'http_502', message: 'HTTP 502 Bad Gateway' });
  });
});

describe('drain requests', () => {
  it('encodes names, sends JSON, validates the answer', async () => {
    answer(200, instance);
    const result = await drainInstance('pay', 'a/b', { reason: 'r', ttlSeconds: 900 });
    expect(result).toEqual({ ok: true, data: instance });
    const [url, init] = vi.mocked(fetch).mock.calls[0] as [string, RequestInit];
    expect(url).toBe('/api/v1/services/pay/instances/a%2Fb/drain');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(JSON.parse(String(init.body))).toEqual({ reason: 'r', ttlSeconds: 900 });

    answer(200, instance);
    await undrainInstance('pay', 'a/b');
    const [, undrainInit] = vi.mocked(fetch).mock.calls[0] as [string, RequestInit];
    expect(undrainInit.method).toBe('DELETE');
    expect(undrainInit.headers).not.toHaveProperty('content-type');
  });
  it('refuses an answer of the wrong shape', async () => {
    answer(200, { id: 'x' });
    const result = await drainInstance('pay', 'x', { reason: 'r' });
    expect(result).toMatchObject({ ok: false, failure: { code: 'unexpected_response' } });
  });
  it('reports a network failure as such', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(await drainMatching('pay', { reason: 'r', zone: 'z1' })).toEqual({ ok: false, failure: { kind: 'network', message: 'Failed to fetch' } });
  });
  it('returns bulk results', async () => {
    answer(200, { drained: [instance], skipped: ['p-2: gone'] });
    expect(await drainMatching('pay', { reason: 'r', zone: 'z1' })).toEqual({ ok: true, data: { drained: [instance], skipped: ['p-2: gone'] } });
    expect(instanceDrainUrl('a b', '10.0.0.1:80')).toBe('/api/v1/services/a%20b/instances/10.0.0.1%3A80/drain');
  });
});
