import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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
    await expect(createReporterToken(url, 'a-demo-password')).rejects.toThrow(
      "cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR",
    );
  });

  it('says a sign-in the dashboard failed (500) is the dashboard’s error, to be read in its log, not a password of another run', async () => {
    const url = await dashboardAnswering(500);
    await expect(createReporterToken(url, 'a-demo-password')).rejects.toThrow('cannot sign in as admin: the dashboard answered HTTP 500 (its log above says why)');
  });

  it('gives the dashboard’s own reason for a refusal it logs nothing of, such as a locked account (429)', async () => {
    const url = await dashboardAnswering(429, 'too many failed sign-ins for this account; try again in 15 min');
    await expect(createReporterToken(url, 'a-demo-password')).rejects.toThrow(
      'cannot sign in as admin: the dashboard answered HTTP 429: too many failed sign-ins for this account; try again in 15 min',
    );
  });
});
