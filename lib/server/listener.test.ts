import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCerts, type TestCerts } from '@/tests/support/certs';
import { createListener, HSTS_HEADER, type Listener } from './listener';

let certs: TestCerts;
beforeAll(async () => {
  certs = await createTestCerts();
});
afterAll(() => certs?.remove());

const listen = async (server: Listener): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = (server: Listener): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('createListener', () => {
  it('serves plain HTTP without HSTS when no certificate is configured', async () => {
    const { server, scheme } = createListener({}, (_request, response) => response.end('plain'));
    const port = await listen(server);
    try {
      expect(scheme).toBe('http');
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toBe('plain');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    } finally {
      await close(server);
    }
  });

  it('serves HTTPS with HSTS on every response, the handler’s own headers kept', async () => {
    const { server, scheme } = createListener({ TLS_CERT_FILE: certs.server.certFile, TLS_KEY_FILE: certs.server.keyFile }, (_request, response) => {
      response.writeHead(404, { 'x-from-handler': 'yes' }).end('secure');
    });
    const port = await listen(server);
    const agent = new Agent({ connect: { ca: certs.ca } });
    try {
      expect(scheme).toBe('https');
      const response = await fetch(`https://localhost:${port}/anything`, { dispatcher: agent });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('secure');
      expect(response.headers.get('strict-transport-security')).toBe(HSTS_HEADER);
      expect(response.headers.get('x-from-handler')).toBe('yes');
    } finally {
      await agent.close();
      await close(server);
    }
  });

  it('names both variables when the files are not a certificate and key', () => {
    const junk = path.join(certs.dir, 'junk.pem');
    writeFileSync(junk, 'not a pem');
    expect(() => createListener({ TLS_CERT_FILE: junk, TLS_KEY_FILE: certs.server.keyFile }, () => undefined)).toThrow(
      `TLS_CERT_FILE/TLS_KEY_FILE: ${junk} and ${certs.server.keyFile} are not a usable certificate and key`,
    );
  });
});
