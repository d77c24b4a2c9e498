import { Socket } from 'node:net';
import { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, MACHINE_CONTENT_SECURITY_POLICY, prepareMachineResponse, prepareRequest } from './security-headers';

function fakeRequest(headers: Record<string, string>): { request: IncomingMessage; response: ServerResponse } {
  const request = new IncomingMessage(new Socket());
  request.url = '/services?x=1';
  Object.assign(request.headers, headers);
  return { request, response: new ServerResponse(request) };
}

describe('security headers', () => {
  it('allows only nonce-carrying inline scripts, and no framing', () => {
    const policy = contentSecurityPolicy('abc', false);
    expect(policy).toContain(`script-src 'self' 'nonce-abc'`);
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toContain(`frame-ancestors 'none'`);
    expect(policy).toContain(`object-src 'none'`);
    expect(contentSecurityPolicy('abc', true)).toContain(`'unsafe-eval'`);
  });

  it('drops the middleware-bypass header and overwrites internal headers a client sent', () => {
    const { request, response } = fakeRequest({ 'x-middleware-subrequest': 'middleware:middleware:middleware', 'x-switchyard-client': '10.9.9.9', 'x-nonce': 'chosen' });
    prepareRequest(request, response, { dev: false });
    expect(request.headers['x-middleware-subrequest']).toBeUndefined();
    expect(request.headers['x-switchyard-client']).not.toBe('10.9.9.9');
    expect(request.headers['x-switchyard-url']).toBe('/services?x=1');
    const nonce = request.headers['x-nonce'];
    expect(nonce).not.toBe('chosen');
    expect(response.getHeader('content-security-policy')).toContain(`'nonce-${String(nonce)}'`);
    expect(request.headers['content-security-policy']).toBe(response.getHeader('content-security-policy'));
    expect(response.getHeader('x-content-type-options')).toBe('nosniff');
  });

  it('gives answers to programs a fixed deny-all policy and nosniff', () => {
    const { response } = fakeRequest({});
    prepareMachineResponse(response);
    expect(response.getHeader('content-security-policy')).toBe(MACHINE_CONTENT_SECURITY_POLICY);
    expect(MACHINE_CONTENT_SECURITY_POLICY).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.getHeader('x-content-type-options')).toBe('nosniff');
  });
});
