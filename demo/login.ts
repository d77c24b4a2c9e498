import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
    writeSecretFile(dataDir, file, `${JSON.stringify({ password })}\n`);
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
/**
 * The dashboard could not answer (unreachable, or HTTP 5xx: restarting, its database away): trying
 * again later may succeed. Anything else it refused (a sign-in with the wrong password, a lock)
 * would be refused again, and each refused sign-in counts towards locking the admin out.
 */
export class DashboardUnavailable extends Error {}

/** fetch, its network failure a DashboardUnavailable. */
const reach: typeof fetch = (input, init) =>
  fetch(input, init).catch((error: unknown) => {
    throw new DashboardUnavailable(`cannot reach the dashboard: ${error instanceof Error ? error.message : String(error)}`);
  });

/**
 * The error for an answer other than the one expected: a DashboardUnavailable when trying again may
 * help — a 5xx, or a 429 (a locked account or the address's sign-in limit: neither counts a failure,
 * and both end within minutes).
 */
const refusal = (status: number, message: string): Error => (status >= 500 || status === 429 ? new DashboardUnavailable(message) : new Error(message));

/**
 * A token with less than this left is replaced, at a start as in a running demo (keepReporterToken):
 * in flight, the old one still carries the reports sent before the swap.
 */
const RENEW_BEFORE_MS = 3_600_000;
/** A renewal the dashboard could not answer is tried again this much later, doubling each time up to RETRY_MAX_MS. */
const RETRY_MS = 60_000;
const RETRY_MAX_MS = 15 * 60_000;
const KeptTokenSchema = z.object({ id: z.string(), token: z.string() });
const TokenListSchema = z.object({ tokens: z.array(z.object({ id: z.string(), name: z.string(), expiresAt: z.string().nullable(), revokedAt: z.string().nullable() })) });
const CreatedTokenSchema = z.object({ id: z.string(), token: z.string(), expiresAt: z.string().nullable() });

/** The secret reporters send, and when the dashboard stops taking it (ms; null: never). */
export interface ReporterToken {
  token: string;
  expiresAtMs: number | null;
}

const expiryMs = (expiresAt: string | null): number | null => (expiresAt === null ? null : Date.parse(expiresAt));

/**
 * Signs in as the admin and gives the API token the fleet's call reporters send (role viewer: ingest
 * and OTLP take any role). The one this data dir made before, named DEMO_TOKEN_NAME, while it is
 * active with an hour to run: its secret, shown only when it was made, is kept in DATA_DIR (mode 600)
 * as the password is. Else a new one for a day. None is ever revoked: another demo on the same
 * database (another DATA_DIR, one DATABASE_URL) may be reporting with it, and each runs out in a day.
 * A new token whose file cannot be written (DATA_DIR read-only or full) is used all the same, `log`
 * saying so: the next start makes another. Throws a DashboardUnavailable when trying again may help.
 */
export async function createReporterToken(url: string, password: string, dataDir: string, nowMs = Date.now(), log: (message: string) => void = console.error): Promise<ReporterToken> {
  const { cookie, status, message } = await signIn(url, 'admin', password, reach);
  if (!cookie && status === 401) throw new Error(`cannot sign in as admin (HTTP 401): this data dir's admin has another password; set SWITCHYARD_ADMIN_PASSWORD or use a fresh DATA_DIR`);
  // Anything else is not a password kept from another run: a 500, whose cause the dashboard logs;
  // a lock (429), which it logs nothing of, its body alone saying why.
  if (!cookie) throw refusal(status, `cannot sign in as admin: the dashboard answered HTTP ${status}${status < 500 && message !== undefined ? `: ${printable(message)}` : ' (its log above says why)'}`);
  const headers = { 'content-type': 'application/json', cookie, origin: url };
  const file = path.join(dataDir, 'demo-token.json');
  const kept = keptToken(file);
  if (kept) {
    const listed = await reach(`${url}/api/v1/tokens`, { headers });
    if (!listed.ok) throw refusal(listed.status, `cannot list the API tokens (HTTP ${listed.status})`);
    const known = TokenListSchema.parse(await listed.json()).tokens.find((token) => token.id === kept.id && token.name === DEMO_TOKEN_NAME && token.revokedAt === null);
    const expiresAtMs = known ? expiryMs(known.expiresAt) : undefined;
    if (expiresAtMs !== undefined && (expiresAtMs === null || expiresAtMs - nowMs >= RENEW_BEFORE_MS)) return { token: kept.token, expiresAtMs };
  }
  const created = await reach(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: DEMO_TOKEN_NAME, role: 'viewer', expiresInDays: 1 }),
  });
  if (created.status !== 201) throw refusal(created.status, `cannot create the reporters' token (HTTP ${created.status})`);
  const { id, token, expiresAt } = CreatedTokenSchema.parse(await created.json());
  try {
    writeSecretFile(dataDir, file, `${JSON.stringify({ id, token })}\n`);
  } catch (error) {
    log(`cannot keep the reporters' token in ${file} (${error instanceof Error ? error.message : String(error)}); using it for this run, the next start makes another`);
  }
  return { token, expiresAtMs: expiryMs(expiresAt) };
}

/**
 * Keeps the reporters' token valid while the demo runs, which may outlast the token's day: an hour
 * before it expires `renew` (createReporterToken) gives a new one, handed to `use` (the reporters read
 * the token through a getter). A renewal the dashboard could not answer (DashboardUnavailable) is tried
 * again after 1, 2, 4… min, at most 15, said once; any other failure is final, said once: a refused
 * sign-in tried every minute locked the admin out (5 in a row lock the account for 15 min, and count
 * against the address's limit), the demo's kept password being stale once the admin changed it. Returns stop.
 * `now` and `schedule` are the clock (a test's fake one).
 */
export function keepReporterToken(
  first: ReporterToken,
  options: {
    renew: (nowMs: number) => Promise<ReporterToken>;
    use: (token: string) => void;
    log: (message: string) => void;
    now?: () => number;
    schedule?: (run: () => void, delayMs: number) => () => void;
  },
): () => void {
  const now = options.now ?? Date.now;
  const schedule =
    options.schedule ??
    ((run: () => void, delayMs: number) => {
      const timer = setTimeout(run, delayMs);
      return () => clearTimeout(timer);
    });
  let cancel: (() => void) | undefined;
  let stopped = false;
  let retryMs = 0;
  /** `soonestMs`: a renewed token waits at least a retry's time, so one the server gave with under an hour left cannot renew in a loop. */
  const keep = (current: ReporterToken, soonestMs: number): void => {
    if (current.expiresAtMs === null) return;
    const expiresAtMs = current.expiresAtMs;
    const attempt = (): void => {
      options.renew(now()).then(
        (renewed) => {
          if (stopped) return;
          retryMs = 0;
          options.use(renewed.token);
          keep(renewed, RETRY_MS);
        },
        (error: unknown) => {
          if (stopped) return;
          const why = `cannot renew the reporters' token (it expires at ${new Date(expiresAtMs).toISOString()}): ${error instanceof Error ? error.message : String(error)}`;
          if (!(error instanceof DashboardUnavailable)) {
            options.log(`${why}; not trying again (it would be refused again, and refused sign-ins lock the admin out): the reports stop when it expires, unless the demo is restarted`);
            return;
          }
          if (retryMs === 0) options.log(`${why}; trying again after 1, 2, 4… min (at most 15)`);
          retryMs = retryMs === 0 ? RETRY_MS : Math.min(retryMs * 2, RETRY_MAX_MS);
          cancel = schedule(attempt, retryMs);
        },
      );
    };
    cancel = schedule(attempt, Math.max(expiresAtMs - RENEW_BEFORE_MS - now(), soonestMs));
  };
  keep(first, 0);
  return () => {
    stopped = true;
    cancel?.();
  };
}

/**
 * A secret written mode 600 whatever was there: writeFileSync's mode applies only to a file it
 * creates, so a kept file with wider permissions would keep them. A fresh file renamed over it.
 */
function writeSecretFile(dataDir: string, file: string, text: string): void {
  mkdirSync(dataDir, { recursive: true });
  const fresh = `${file}.${process.pid}.new`;
  rmSync(fresh, { force: true });
  writeFileSync(fresh, text, { mode: 0o600, flag: 'wx' });
  renameSync(fresh, file);
}

/** The token kept by an earlier start, if its file is there and readable. */
function keptToken(file: string): z.infer<typeof KeptTokenSchema> | undefined {
  try {
    return KeptTokenSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}
