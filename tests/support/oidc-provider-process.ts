/**
 * A real OpenID Connect provider (the `oidc-provider` package) for tests, run as a child process by
 * `tests/support/oidc.ts`. Reads its setup as JSON from OIDC_FIXTURE, listens on a free loopback
 * port and prints `{"issuer": …}` on one stdout line when ready. Its own login page checks a
 * username and password; consent is granted without asking (a first-party client, as in an internal SSO).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';
import { z } from 'zod';

const FixtureSchema = z.object({
  clientId: z.string(),
  clientSecret: z.string(),
  redirectUris: z.array(z.string()).min(1),
  /** RFC 8252 §7.3: a loopback redirect URI then matches on any port (for apps whose port is not yet known). */
  anyLoopbackPort: z.boolean(),
  accounts: z.record(z.string(), z.object({ password: z.string(), claims: z.record(z.string(), z.unknown()) })),
});
const fixture = FixtureSchema.parse(JSON.parse(process.env.OIDC_FIXTURE ?? '{}'));
const accounts = new Map(Object.entries(fixture.accounts));

const server = http.createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const configuration: Configuration = {
  clients: [
    {
      client_id: fixture.clientId,
      client_secret: fixture.clientSecret,
      redirect_uris: fixture.redirectUris,
      application_type: fixture.anyLoopbackPort ? 'native' : 'web',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  async findAccount(_context, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: () => ({ ...account.claims, sub: id }) };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_context, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
};
const provider = new Provider(issuer, configuration);
const providerHandler = provider.callback();

server.on('request', (request, response) => {
  const interaction = /^\/interaction\/([\w-]+)$/.exec(new URL(request.url ?? '/', issuer).pathname);
  if (!interaction) {
    providerHandler(request, response);
    return;
  }
  handleInteraction(request, response).catch((error: unknown) => {
    response.statusCode = 400;
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end(`Sign-in failed: ${error instanceof Error ? error.message : String(error)}`);
  });
});

async function handleInteraction(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(request, response);
  if (details.prompt.name === 'consent') {
    await grantConsent(request, response, details);
    return;
  }
  if (details.prompt.name !== 'login') throw new Error(`unexpected prompt "${details.prompt.name}"`);
  if (request.method !== 'POST') {
    sendLoginPage(response, details.uid, '', '');
    return;
  }
  const form = new URLSearchParams(await readBody(request));
  const username = form.get('username') ?? '';
  const account = accounts.get(username);
  if (!account || account.password !== form.get('password')) {
    response.statusCode = 401;
    sendLoginPage(response, details.uid, username, 'Wrong username or password.');
    return;
  }
  await provider.interactionFinished(request, response, { login: { accountId: username } }, { mergeWithLastSubmission: false });
}

/** First-party client: what it asked for is granted without a consent page, as in an internal SSO. */
async function grantConsent(request: http.IncomingMessage, response: http.ServerResponse, details: Awaited<ReturnType<Provider['interactionDetails']>>): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id;
  if (!accountId || typeof clientId !== 'string') throw new Error('consent without a signed-in account');
  const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error('grant not found');
  const missing = details.prompt.details;
  if (Array.isArray(missing.missingOIDCScope)) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (Array.isArray(missing.missingOIDCClaims)) grant.addOIDCClaims(missing.missingOIDCClaims);
  await provider.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

function sendLoginPage(response: http.ServerResponse, uid: string, username: string, error: string): void {
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.end(`<!doctype html>
<html><head><title>Test identity provider</title></head><body>
<h1>Test identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<label>Username <input name="username" autocomplete="username" value="${escapeHtml(username)}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></body></html>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error('form too large');
  }
  return body;
}

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});

console.log(JSON.stringify({ issuer }));
