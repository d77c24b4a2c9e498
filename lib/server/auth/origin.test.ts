import { describe, expect, it } from 'vitest';
import { isCrossSite, isSameOrigin } from './origin';

const host = '127.0.0.1:3000';

describe('origin checks', () => {
  it.each([
    ['matching Origin', { origin: 'http://127.0.0.1:3000', secFetchSite: null, host }, true, false],
    ['Origin on the same host behind a TLS proxy', { origin: 'https://127.0.0.1:3000', secFetchSite: null, host }, true, false],
    ['other Origin', { origin: 'http://evil.example', secFetchSite: 'cross-site', host }, false, true],
    ['other port', { origin: 'http://127.0.0.1:3001', secFetchSite: 'same-site', host }, false, true],
    ['opaque Origin', { origin: 'null', secFetchSite: null, host }, false, true],
    ['garbage Origin', { origin: 'not a url', secFetchSite: null, host }, false, true],
    ['no Origin, same-origin fetch', { origin: null, secFetchSite: 'same-origin', host }, true, false],
    ['no Origin, cross-site fetch', { origin: null, secFetchSite: 'cross-site', host }, false, true],
    ['typed into the address bar', { origin: null, secFetchSite: 'none', host }, false, false],
    ['a non-browser client', { origin: undefined, secFetchSite: undefined, host }, false, false],
  ])('%s', (_name, headers, same, cross) => {
    expect(isSameOrigin(headers)).toBe(same);
    expect(isCrossSite(headers)).toBe(cross);
  });

  it('compares against the public URL when one is configured', () => {
    const headers = { origin: 'https://switchyard.example.com', secFetchSite: null, host: '10.0.0.5:3000' };
    expect(isSameOrigin(headers, 'https://switchyard.example.com')).toBe(true);
    expect(isSameOrigin({ ...headers, origin: 'http://switchyard.example.com' }, 'https://switchyard.example.com')).toBe(false);
  });
});
