import { describe, expect, it } from 'vitest';
import { bodyDetail, cleanText, deniedError, formatDuration, networkCause, timeoutCause } from './causes';

const errno = (code: string, message = `connect ${code} 127.0.0.1:1`): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('probe causes', () => {
  it.each([
    [300, '300 ms'],
    [2_000, '2 s'],
    [2_500, '2.5 s'],
    [999.6, '1000 ms'],
  ])('formats %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('says what timed out', () => expect(timeoutCause(2_000)).toBe('timeout after 2 s'));

  it.each([
    [errno('ECONNREFUSED'), 'connection refused'],
    [errno('ECONNRESET', 'read ECONNRESET'), 'connection reset'],
    [errno('ECONNRESET', 'socket hang up'), 'connection closed without a response'],
    [errno('EHOSTUNREACH'), 'host unreachable'],
    [errno('ENOTFOUND', 'getaddrinfo ENOTFOUND nope.invalid'), 'DNS: host not found'],
    [errno('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), 'invalid HTTP response'],
    [deniedError('169.254.0.0/16'), 'address denied by probe policy (169.254.0.0/16)'],
    [new Error('odd\u0000thing\r\nhappened'), 'odd thing happened'],
    ['not an error', 'not an error'],
  ])('names %s', (error, cause) => expect(networkCause(error)).toBe(cause));

  it('keeps the first 256 bytes of a body as one clean line', () => {
    expect(bodyDetail(Buffer.from('{"error":"db down"}\r\n\u0007\u202eevil'))).toBe('{"error":"db down"} evil');
    expect(bodyDetail(Buffer.alloc(10_000, 'x'))).toHaveLength(256);
    expect(bodyDetail(Buffer.from('\r\n\t'))).toBeUndefined();
  });

  it('collapses control runs into single spaces', () => expect(cleanText(' a\t\t b\u009b ')).toBe('a b'));
});
