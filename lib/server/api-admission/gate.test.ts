import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { apiClientOf } from './gate';

const request = (headers: IncomingMessage['headers'], remoteAddress = '10.0.0.7'): IncomingMessage => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('apiClientOf', () => {
  it('counts a request by its credential wherever it comes from, and keeps no secret', () => {
    const token = apiClientOf(request({ authorization: 'Bearer secret-token' }, '10.0.0.1'), false);
    expect(apiClientOf(request({ authorization: 'Bearer secret-token' }, '10.0.0.2'), false)).toBe(token);
    expect(apiClientOf(request({ authorization: 'Bearer other-token' }, '10.0.0.1'), false)).not.toBe(token);
    expect(token).not.toContain('secret-token');
  });

  it('reads the session cookie by the name this server sets', () => {
    const session = apiClientOf(request({ cookie: 'switchyard_session=s3cret' }), false);
    expect(session).toMatch(/^credential:/);
    expect(apiClientOf(request({ cookie: 'switchyard_session=s3cret' }), true)).toMatch(/^address:/);
    expect(apiClientOf(request({ cookie: '__Host-switchyard_session=s3cret' }), true)).toBe(session);
  });

  it('counts a request without credentials by its address, an IPv6 /64 as one', () => {
    expect(apiClientOf(request({}, '::ffff:10.0.0.7'), false)).toBe(apiClientOf(request({}, '10.0.0.7'), false));
    expect(apiClientOf(request({}, '2001:db8:1:2::a'), false)).toBe(apiClientOf(request({}, '2001:db8:1:2::b'), false));
    expect(apiClientOf(request({}, '2001:db8:1:3::a'), false)).not.toBe(apiClientOf(request({}, '2001:db8:1:2::a'), false));
  });
});
