import { describe, expect, it } from 'vitest';
import { isMalformedPath, routedPath } from './request-path';

describe('isMalformedPath', () => {
  it('refuses escapes that do not decode to UTF-8', () => {
    for (const url of ['/api/v1/services/%ff', '/api/v1/services/%ED%A0%80', '/services/%', '/services/a%2', '/api/v1/users/%C3?x=1']) expect(isMalformedPath(url)).toBe(true);
  });

  it('passes paths that decode, whatever their query holds', () => {
    for (const url of ['/', '/services/a%2Fb', '/services/%E2%9C%93', '/api/v1/events?service=%ff', '/services/plain']) expect(isMalformedPath(url)).toBe(false);
  });
});

describe('routedPath', () => {
  it('leaves a path holding `//` or `\\` as written: Next redirects it before routing, and `//x/…` names no host', () => {
    expect(routedPath('//x/api/v1/alerts')).toBe('//x/api/v1/alerts');
    expect(routedPath('//api/v1/alerts')).toBe('//api/v1/alerts');
    expect(routedPath('/api//../v1/alerts?a=//b')).toBe('/api//../v1/alerts');
    expect(routedPath('/x\\..\\api/v1/alerts')).toBe('/x\\..\\api/v1/alerts');
  });

  it('gives what the URL parser gives for plain paths, dot segments, escapes and characters it encodes', () => {
    for (const url of ['/', '/v1/metrics', '/api/v1/services/orders?x=1', "/api/v1/a_b~c!$&'()*+,;=:@-d", '/./api/v1', '/x/%2e%2e/api', '/a b', '/é', '/a"b<c>', '/api/v1/services/a.b']) {
      expect(routedPath(url), url).toBe(new URL(url, 'http://localhost').pathname);
    }
  });
});
