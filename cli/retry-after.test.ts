import { describe, expect, it } from 'vitest';
import { retryAfterMs } from './retry-after';

describe('retryAfterMs', () => {
  it('reads seconds', () => expect(retryAfterMs(' 7 ', 0)).toBe(7_000));
  it('reads an HTTP date against the given now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2025 00:00:30 GMT', now)).toBe(0);
  });
  it.each([null, '', 'soon', '-3', '1.5'])('ignores %j', (header) => expect(retryAfterMs(header, 0)).toBeNull());
});
