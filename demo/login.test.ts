import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TokenView } from '@/lib/model/auth';
import { RoleSchema } from '@/lib/model/roles';
import { createReporterToken } from './login';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A dashboard whose sign-in answers `status` with `message` in the API's error body, and nothing else. */
async function dashboardAnswering(status: number, message = 'x'): Promise<string> {
  server = createServer((_request, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'x', message } })));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createReporterToken', () => {
  it('blames the data dir’s admin password only when the sign-in is refused as wrong (401)', async () => {
    const url = await dashboardAnswering(401);
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow(
      "cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR",
    );
  });

  it('says a sign-in the dashboard failed (500) is the dashboard’s error, to be read in its log, not a password of another run', async () => {
    const url = await dashboardAnswering(500);
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow('cannot sign in as admin: the dashboard answered HTTP 500 (its log above says why)');
  });

  it('gives the dashboard’s own reason for a refusal it logs nothing of, such as a locked account (429)', async () => {
    const url = await dashboardAnswering(429, 'too many failed sign-ins for this account; try again in 15 min');
    await expect(createReporterToken(url, 'a-demo-password', tmpdir())).rejects.toThrow(
      'cannot sign in as admin: the dashboard answered HTTP 429: too many failed sign-ins for this account; try again in 15 min',
    );
  });
});

/** A dashboard that signs the admin in and keeps API tokens as the real one does (list without secrets, create, revoke). */
async function dashboardWithTokens(nowMs: () => number): Promise<{ url: string; tokens: TokenView[]; created: () => number }> {
  const tokens: TokenView[] = [];
  let count = 0;
  server = createServer((request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/api/v1/auth/login') return send(200, {}, { 'set-cookie': 'switchyard_session=s; Path=/; HttpOnly' });
      if (request.headers.cookie !== 'switchyard_session=s') return send(401, { error: { code: 'unauthenticated', message: 'sign in' } });
      if (request.url === '/api/v1/tokens' && request.method === 'GET') return send(200, { tokens });
      if (request.url === '/api/v1/tokens' && request.method === 'POST') {
        const body = z.object({ name: z.string(), role: RoleSchema, expiresInDays: z.number() }).parse(JSON.parse(text));
        count += 1;
        const token: TokenView = { id: `t${count}`, name: body.name, role: body.role, service: null, createdBy: 'admin', createdAt: new Date(nowMs()).toISOString(), expiresAt: new Date(nowMs() + body.expiresInDays * 86_400_000).toISOString(), lastUsedAt: null, revokedAt: null };
        tokens.push(token);
        return send(201, { ...token, token: `syd_secret_${count}` });
      }
      const revoked = tokens.find((token) => request.method === 'DELETE' && request.url === `/api/v1/tokens/${token.id}`);
      if (revoked) {
        revoked.revokedAt = new Date(nowMs()).toISOString();
        return send(200, revoked);
      }
      return send(404, { error: { code: 'not_found', message: 'no' } });
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens, created: () => count };
}

describe('the demo’s reporter token', () => {
  it('is made once per data dir and reused by later starts while it is active, its secret kept in the data dir', async () => {
    const now = Date.parse('2026-12-07T20:00:00Z');
    const dashboard = await dashboardWithTokens(() => now);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'demo-token-'));
    const first = await createReporterToken(dashboard.url, 'a-demo-password', dataDir, now);
    const second = await createReporterToken(dashboard.url, 'a-demo-password', dataDir, now + 3_600_000);
    expect(second).toBe(first);
    expect(dashboard.created()).toBe(1);
    expect(dashboard.tokens.map((token) => token.name)).toEqual(['demo-fleet']);
    expect(statSync(path.join(dataDir, 'demo-token.json')).mode & 0o777).toBe(0o600);
  });

  it('makes a new one, revoking the old, when the old one is revoked, about to expire or its secret is gone', async () => {
    const now = Date.parse('2026-12-07T20:00:00Z');
    const dashboard = await dashboardWithTokens(() => now);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'demo-token-'));
    const first = await createReporterToken(dashboard.url, 'a-demo-password', dataDir, now);
    // 23 h on, its day nearly over: a demo started now would see its reports refused within the hour.
    const nearlyExpired = await createReporterToken(dashboard.url, 'a-demo-password', dataDir, now + 23 * 3_600_000);
    expect(nearlyExpired).not.toBe(first);
    rmSync(path.join(dataDir, 'demo-token.json'));
    const secretGone = await createReporterToken(dashboard.url, 'a-demo-password', dataDir, now + 23 * 3_600_000);
    expect(secretGone).not.toBe(nearlyExpired);
    expect(dashboard.tokens.map((token) => [token.id, token.revokedAt === null ? 'active' : 'revoked'])).toEqual([['t1', 'revoked'], ['t2', 'revoked'], ['t3', 'active']]);
  });
});
