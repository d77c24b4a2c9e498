import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { printable } from '@/lib/model/printable';
import { generatePassword } from '@/lib/server/auth/passwords';

const DemoLoginSchema = z.object({ password: z.string().min(12) });

/**
 * The demo's admin password: SWITCHYARD_ADMIN_PASSWORD when set, else one generated on the first
 * run and kept in DATA_DIR (mode 600), because the dashboard applies it only when it creates the
 * first admin and the data dir outlives a run.
 */
export function demoAdminPassword(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'demo-login.json');
  try {
    return DemoLoginSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).password;
  } catch {
    const password = generatePassword();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${JSON.stringify({ password })}\n`, { mode: 0o600 });
    return password;
  }
}

const ErrorBodySchema = z.object({ error: z.object({ message: z.string() }) });

/**
 * Signs in through `POST /api/v1/auth/login`; resolves with the session cookie (`name=value`), or
 * null when refused, with the API error body's message if it sent one. `send` lets a caller add
 * transport options (a test CA).
 */
export async function signIn(url: string, username: string, password: string, send: typeof fetch = fetch): Promise<{ cookie: string | null; status: number; message?: string }> {
  const response = await send(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const body: unknown = await response.json().catch(() => undefined);
  const cookie = response.headers.getSetCookie().find((line) => line.includes('switchyard_session='));
  if (response.ok && cookie) return { cookie: cookie.split(';')[0] ?? null, status: response.status };
  const error = ErrorBodySchema.safeParse(body);
  return { cookie: null, status: response.status, ...(error.success ? { message: error.data.error.message } : {}) };
}

/** The demo's one reporter token: found again by this name at the next start. */
export const DEMO_TOKEN_NAME = 'demo-fleet';
/** Reused only with this long still to run: a demo started on a token about to expire would see its reports refused within the hour. */
const REUSE_MIN_LEFT_MS = 12 * 3_600_000;
const KeptTokenSchema = z.object({ id: z.string(), token: z.string() });
const TokenListSchema = z.object({ tokens: z.array(z.object({ id: z.string(), name: z.string(), expiresAt: z.string().nullable(), revokedAt: z.string().nullable() })) });

/**
 * Signs in as the admin and gives the API token the fleet's call reporters send (role viewer: ingest
 * and OTLP take any role). The one it made before, named DEMO_TOKEN_NAME, while it is active with
 * 12 h to run: its secret, shown only when it was made, is kept in DATA_DIR (mode 600) as the
 * password is. Else a new one for a day, the old ones of that name revoked (their secrets are gone,
 * or they are about to expire), so each start no longer adds a token to the Access page's list.
 */
export async function createReporterToken(url: string, password: string, dataDir: string, nowMs = Date.now()): Promise<string> {
  const { cookie, status, message } = await signIn(url, 'admin', password);
  if (!cookie && status === 401) throw new Error(`cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR`);
  // Anything else is not a password kept from another run: a 500, whose cause the dashboard logs;
  // a lock (429), which it logs nothing of, its body alone saying why.
  if (!cookie) throw new Error(`cannot sign in as admin: the dashboard answered HTTP ${status}${status < 500 && message !== undefined ? `: ${printable(message)}` : ' (its log above says why)'}`);
  const headers = { 'content-type': 'application/json', cookie, origin: url };
  const listed = await fetch(`${url}/api/v1/tokens`, { headers });
  if (!listed.ok) throw new Error(`cannot list the API tokens (HTTP ${listed.status})`);
  const ours = TokenListSchema.parse(await listed.json()).tokens.filter((token) => token.name === DEMO_TOKEN_NAME && token.revokedAt === null);
  const file = path.join(dataDir, 'demo-token.json');
  const kept = keptToken(file);
  const reusable = ours.find((token) => token.id === kept?.id && (token.expiresAt === null || Date.parse(token.expiresAt) - nowMs >= REUSE_MIN_LEFT_MS));
  if (kept && reusable) return kept.token;
  for (const stale of ours) {
    const revoked = await fetch(`${url}/api/v1/tokens/${encodeURIComponent(stale.id)}`, { method: 'DELETE', headers });
    if (!revoked.ok) throw new Error(`cannot revoke the previous reporters' token (HTTP ${revoked.status})`);
  }
  const created = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: DEMO_TOKEN_NAME, role: 'viewer', expiresInDays: 1 }),
  });
  if (created.status !== 201) throw new Error(`cannot create the reporters' token (HTTP ${created.status})`);
  const { id, token } = z.object({ id: z.string(), token: z.string() }).parse(await created.json());
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ id, token })}\n`, { mode: 0o600 });
  return token;
}

/** The token kept by an earlier start, if its file is there and readable. */
function keptToken(file: string): z.infer<typeof KeptTokenSchema> | undefined {
  try {
    return KeptTokenSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}
