import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface TestOidcAccount {
  password: string;
  claims: Record<string, unknown>;
}

/** alice is on call (operator), carol runs the platform (admin), bob is in no group at all. */
export const testOidcAccounts: Record<'alice' | 'bob' | 'carol', TestOidcAccount> = {
  alice: { password: 'alice-password', claims: { preferred_username: 'alice', name: 'Alice Archer', email: 'alice@example.test', groups: ['sre-oncall'] } },
  bob: { password: 'bob-password', claims: { preferred_username: 'bob', name: 'Bob Baker', email: 'bob@example.test', groups: [] } },
  carol: { password: 'carol-password', claims: { preferred_username: 'carol', name: 'Carol Cole', email: 'carol@example.test', groups: ['platform', 'sre-oncall'] } },
};

/** The role map that matches the accounts above. */
export const testOidcRoleMap = 'sre-oncall=operator,platform=admin';

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  pid: number | undefined;
  output(): string;
  /** SIGTERM to the child, by pid; resolves when it has exited. */
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Starts a real OpenID Connect provider in a child process on a free loopback port, with one
 * confidential client (client_secret_basic, PKCE required) and `testOidcAccounts`. The scope
 * `groups` releases the `groups` claim (through UserInfo, as the provider does for the code flow).
 * With `anyLoopbackPort`, a redirect URI like `http://127.0.0.1/api/v1/auth/oidc/callback` also
 * matches that path on any port, for an app whose port is chosen after the provider starts.
 */
export async function startOidcProvider(options: { redirectUris: string[]; anyLoopbackPort?: boolean }): Promise<TestOidcProvider> {
  const clientId = 'switchyard-test';
  const clientSecret = randomBytes(24).toString('base64url');
  const fixture = { clientId, clientSecret, redirectUris: options.redirectUris, anyLoopbackPort: options.anyLoopbackPort ?? false, accounts: testOidcAccounts };
  // node itself, not the tsx wrapper, so the pid we signal is the process that serves.
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/oidc-provider-process.ts'], {
    cwd: root,
    env: { ...process.env, OIDC_FIXTURE: JSON.stringify(fixture) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`OIDC provider did not start in 30 s:\n${output}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OIDC provider exited with ${code}:\n${output}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      if (!line.startsWith('{"issuer"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(child.pid, 'SIGTERM');
      const forced = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/**
 * Logs in at the provider the way a browser would, with plain fetch: follows the authorization URL
 * through the provider's redirects (carrying its cookies), submits its login form and stops at the
 * first redirect that leaves the provider. Returns that URL — the client's redirect URI with
 * `code` and `state` (or `error`). Throws when the provider shows its form again (wrong password).
 */
export async function loginAtProvider(authorizationUrl: URL, username: string, password: string): Promise<URL> {
  const cookies = new CookieJar();
  const providerOrigin = authorizationUrl.origin;
  let response = await cookies.fetch(authorizationUrl);
  let submitted = false;
  for (let hop = 0; hop < 20; hop++) {
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, response.url || authorizationUrl);
      if (next.origin !== providerOrigin) return next;
      response = await cookies.fetch(next);
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    if (response.status >= 400 || !action || submitted) {
      throw new Error(`the provider did not complete the login (HTTP ${response.status}): ${page.slice(0, 300)}`);
    }
    submitted = true;
    response = await cookies.fetch(new URL(action, providerOrigin), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    });
  }
  throw new Error('too many redirects at the provider');
}

/** Just enough of a browser's cookie store for one site: name → value, expired cookies removed. */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) this.store(setCookie);
    return response;
  }

  private store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';');
    const split = pair.indexOf('=');
    if (split <= 0) return;
    const name = pair.slice(0, split).trim();
    const expired = attributes.some((attribute) => {
      const [key = '', value = ''] = attribute.trim().split('=');
      if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now();
      return false;
    });
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, pair.slice(split + 1).trim());
  }
}
