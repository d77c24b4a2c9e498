import { describe, expect, it } from 'vitest';
import { servicePath } from './routes';

describe('servicePath', () => {
  it.each([
    ['users', '/services/users'],
    ['a/b c', '/services/a%2Fb%20c'],
    ['50%', '/services/50%25'],
    ['<script>', '/services/%3Cscript%3E'],
    ['..', '/services/%252E%252E'],
    ['bad\uD800name', '/services/bad%EF%BF%BDname'],
  ])('%j → %s', (name, path) => {
    expect(servicePath(name)).toBe(path);
  });
});
