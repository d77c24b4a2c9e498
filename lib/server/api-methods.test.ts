import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowOf, apiRoutesOf, exportedMethods, matchApiRoute, readApiRoutes, type ApiRoute } from './api-methods';

describe('exportedMethods', () => {
  it('finds handlers however the module exports them, and nothing else', () => {
    const source = [
      `export const dynamic = 'force-dynamic';`,
      `export function GET(request: Request): Promise<Response> {`,
      `export async function DELETE(request: Request, context: Context): Promise<Response> {`,
      `export const PATCH = handler;`,
      `export { post as POST, other };`,
      `// export function PUT() {}`,
      `function HEAD() {}`,
    ].join('\n');
    expect(exportedMethods(source)).toEqual(['GET', 'POST', 'DELETE', 'PATCH']);
  });
});

describe('allowOf', () => {
  it('adds OPTIONS always and HEAD with GET, sorted, as Next answers OPTIONS', () => {
    expect(allowOf(['GET'])).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(allowOf(['POST'])).toEqual(['OPTIONS', 'POST']);
    expect(allowOf(['DELETE', 'GET', 'PATCH'])).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH']);
  });
});

describe('matchApiRoute', () => {
  const route = (pattern: string, allow: string[]): ApiRoute => ({
    pattern,
    allow,
    segments: pattern
      .slice(1)
      .split('/')
      .map((name) => (name.startsWith('[[...') ? { kind: 'optional-catch-all' } : name.startsWith('[...') ? { kind: 'catch-all' } : name.startsWith('[') ? { kind: 'dynamic' } : { kind: 'static', name })),
  });
  const routes = [
    route('/api/v1/services/[service]/instances/[id]/drain', ['POST']),
    route('/api/v1/services/[service]/instances/latency', ['GET']),
    route('/api/v1/services/[service]', ['GET']),
    route('/api/v1/services', ['GET']),
    route('/api/v1/docs/[...page]', ['GET']),
  ];

  it('prefers a static segment to a dynamic one, as Next routes', () => {
    expect(matchApiRoute(routes, '/api/v1/services/a/instances/latency')?.pattern).toBe('/api/v1/services/[service]/instances/latency');
    expect(matchApiRoute(routes, '/api/v1/services/a/instances/latency/drain')?.pattern).toBe('/api/v1/services/[service]/instances/[id]/drain');
    expect(matchApiRoute(routes, '/api/v1/services/a%2Fb')?.pattern).toBe('/api/v1/services/[service]');
    expect(matchApiRoute(routes, '/api/v1/servic%65s')?.pattern).toBe('/api/v1/services');
    expect(matchApiRoute(routes, '/api/v1/docs/a/b')?.pattern).toBe('/api/v1/docs/[...page]');
  });

  it('matches nothing Next would not serve: unknown, too long, empty segments, a trailing slash', () => {
    for (const pathname of ['/api/v1/nope', '/api/v1/services/a/b', '/api/v1/services/', '/api//v1/services', '/api/v1/services/a/instances', '/api/v1/docs']) {
      expect(matchApiRoute(routes, pathname), pathname).toBeUndefined();
    }
  });
});

describe('readApiRoutes', () => {
  it('reads the app/api tree', () => {
    const routes = readApiRoutes(path.resolve(import.meta.dirname, '../../app'));
    const byPattern = new Map(routes.map((r) => [r.pattern, r.allow]));
    expect(byPattern.get('/api/v1/services')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(byPattern.get('/api/v1/auth/logout')).toEqual(['OPTIONS', 'POST']);
    expect(byPattern.get('/api/v1/tokens/[id]')).toContain('DELETE');
    expect(matchApiRoute(routes, '/api/v1/services/payments/instances/p-1/drain')?.pattern).toBe('/api/v1/services/[service]/instances/[id]/drain');
  });
});

describe('apiRoutesOf', () => {
  it('keeps the last reading when the tree cannot be read under --dev, and reads once otherwise', () => {
    const tree = mkdtempSync(path.join(os.tmpdir(), 'api-routes-'));
    mkdirSync(path.join(tree, 'api', 'v1', 'things'), { recursive: true });
    writeFileSync(path.join(tree, 'api', 'v1', 'things', 'route.ts'), 'export async function GET() {}\n');
    const live = apiRoutesOf(tree, true);
    const built = apiRoutesOf(tree, false);
    writeFileSync(path.join(tree, 'api', 'v1', 'things', 'route.ts'), 'export async function GET() {}\nexport async function POST() {}\n');
    expect(live().map((r) => r.allow)).toEqual([['GET', 'HEAD', 'OPTIONS', 'POST']]);
    expect(built().map((r) => r.allow)).toEqual([['GET', 'HEAD', 'OPTIONS']]);
    rmSync(path.join(tree, 'api'), { recursive: true });
    expect(live().map((r) => r.allow)).toEqual([['GET', 'HEAD', 'OPTIONS', 'POST']]);
    rmSync(tree, { recursive: true });
  });
});
