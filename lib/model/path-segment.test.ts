import { describe, expect, it } from 'vitest';
import { pathSegment } from './path-segment';

describe('pathSegment', () => {
  it.each([
    ['.', '%252E'],
    ['..', '%252E%252E'],
    ['...', '...'],
    ['javascript:alert(1)', 'javascript%3Aalert(1)'],
    ['?a=1#b', '%3Fa%3D1%23b'],
    ['\uDC00', '%EF%BF%BD'],
  ])('%j → %s', (name, segment) => {
    expect(pathSegment(name)).toBe(segment);
  });

  it.each(['.', '..'])('keeps an instance named %j inside its own API path', (id) => {
    const path = `/api/v1/services/${pathSegment('svc')}/instances/${pathSegment(id)}/drain`;
    expect(new URL(path, 'http://x').pathname).toBe(path);
  });
});
