import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { ClearLockoutsQuery, LockoutsView, Principal, TokenView, UserView } from '@/lib/model/auth';
import type { NewHistoryEvent } from '@/lib/model/events';
import { RoleSchema, type Role } from '@/lib/model/roles';
import type { DatabaseOutage } from '../database-outage';
import type { HistoryDatabase, TokensTable, UsersTable } from '../history/schema';
import { isDatabaseUnreachable } from '../history/unreachable';
import { createKeyedQueue } from './keyed-queue';
import { createLoginLimiter } from './login-limiter';
import { DEFAULT_COST, generatePassword, hashPassword, verifyPassword } from './passwords';
import { digest, newSecret, TOKEN_PREFIX } from './secrets';
import { createVerifiedCredentials, unexpired, type VerifiedCredential, type VerifiedCredentials } from './verified-credentials';

export interface AuthOptions {
  db: Kysely<HistoryDatabase>;
  /** Audit events (logins, failures, lockouts, token and user changes) go to the history log. */
  audit: (event: NewHistoryEvent) => void;
  idleSeconds: number;
  maxSeconds: number;
  now?: () => number;
  /** Tests lower the scrypt cost; production keeps the default. */
  passwordCost?: { N: number; r: number; p: number };
  /** Credentials revoked here, for the other replicas (they call `forgetRevoked`). */
  tellReplicas?: (credentialIds: string[]) => void;
  /** Told when a lookup finds the database unreachable, and when it answers again (the outage is logged once). */
  outage?: Pick<DatabaseOutage, 'unreachable' | 'reachable'>;
}

export const LOCKOUT = { failures: 5, lockMs: 15 * 60_000 } as const;
export const ADDRESS_LIMIT = { maxFailures: 20, windowMs: 10 * 60_000 } as const;
/** Writing "last seen"/"last used" on every request would make each read a write. */
const TOUCH_EVERY_MS = 30_000;
/** How long a valid token is trusted without asking the database (revocation clears it at once). */
const TOKEN_CACHE_MS = 10_000;
/**
 * While the database is unreachable, a session or token it vouched for under this long ago is
 * still let in (read-only use through a database restart); one revoked on another replica in that
 * time may be missed for as long. A revocation here drops it at once.
 */
export const OUTAGE_TRUST_MS = 60_000;
/** Entries kept of each kind (sessions, tokens), least recently verified dropped first. */
export const VERIFIED_MAX = 10_000;
/** At most this many addresses and accounts in the lockouts listing. */
const LOCKOUTS_LISTED = 1_000;

export type AuthFailure = { ok: false; status: 400 | 401 | 403 | 404 | 409 | 429; code: string; message: string; retryAfterSeconds?: number };
export type LoginOutcome = { ok: true; sessionSecret: string; principal: Principal } | AuthFailure;

/** Tries of a change run serializable (PostgreSQL): each retry follows a rival change that committed. */
const SERIALIZATION_ATTEMPTS = 5;
/** PostgreSQL's `serialization_failure`: a serializable transaction lost to a concurrent one. */
const isSerializationFailure = (error: unknown): boolean => typeof error === 'object' && error !== null && 'code' in error && error.code === '40001';

const failure = (status: AuthFailure['status'], code: string, message: string, retryAfterSeconds?: number): AuthFailure => ({
  ok: false,
  status,
  code,
  message,
  ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
/** A role as stored; an unknown one (a database edited by hand) reads as the least privileged. */
const StoredRoleSchema = RoleSchema.catch('viewer');
const roleOf = (value: string): Role => StoredRoleSchema.parse(value);

function userView(row: Selectable<UsersTable>, now: number): UserView {
  return {
    name: row.name,
    role: roleOf(row.role),
    source: row.source,
    disabled: row.disabled === 1,
    createdAt: new Date(row.created_ms).toISOString(),
    lastLoginAt: iso(row.last_login_ms),
    lockedUntil: row.locked_until_ms !== null && row.locked_until_ms > now ? iso(row.locked_until_ms) : null,
  };
}

function tokenView(row: Selectable<TokensTable>): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: roleOf(row.role),
    service: row.service,
    createdBy: row.created_by,
    createdAt: new Date(row.created_ms).toISOString(),
    expiresAt: iso(row.expires_ms),
    lastUsedAt: iso(row.last_used_ms),
    revokedAt: iso(row.revoked_ms),
  };
}

/**
 * Users, sessions and API tokens, stored in the history database. Sessions and tokens are
 * random secrets of which only the SHA-256 is stored; passwords are scrypt hashes.
 */
/** Users, sessions, API tokens and sign-in lockouts, every change audited. */
export interface Auth {
  /** First start: an admin with the given password, or a generated one (returned so it can be printed once). */
  bootstrap(adminPassword: string | undefined): Promise<{ created: false } | { created: true; name: string; password: string; generated: boolean }>;
  /** Password sign-in (`POST /api/v1/auth/login`), refused while the user or address is locked out. */
  login(username: string, password: string, address: string): Promise<LoginOutcome>;
  /** Single sign-on: a session for an identity the OpenID Connect provider vouched for. */
  loginExternal(identity: { issuer: string; subject: string; name: string; role: Role }, address: string): Promise<LoginOutcome>;
  /** The principal behind a session cookie, or null. */
  authenticateSession(secret: string): Promise<Principal | null>;
  /** The principal behind an API token, or null. */
  authenticateToken(secret: string): Promise<Principal | null>;
  /**
   * `authenticateToken` when its cache answers alone (no store read, no last-used write due):
   * the principal or null; undefined when only `authenticateToken` can tell. Programs post every
   * few seconds with the same token, so their requests need not wait for a promise.
   */
  cachedToken(secret: string): Principal | null | undefined;
  /** Ends this session (`POST /api/v1/auth/logout`). */
  logout(principal: Principal): Promise<void>;
  /** Ends every session of a user; the number ended. */
  logoutEverywhere(userName: string, actor: string): Promise<number>;
  /** A user's own password change (`POST /api/v1/auth/password`); ends their sessions. */
  changeOwnPassword(userName: string, currentPassword: string, newPassword: string): Promise<{ ok: true } | AuthFailure>;
  users: {
    /** Every user (`GET /api/v1/users`). */
    list(): Promise<UserView[]>;
    /** `POST /api/v1/users`. */
    create(input: { name: string; role: Role; password: string }, actor: string): Promise<{ ok: true; user: UserView } | AuthFailure>;
    /** `PATCH /api/v1/users/{name}`: a password reset, demotion or disabling ends the user's sessions. */
    update(name: string, change: { role?: Role | undefined; password?: string | undefined; disabled?: boolean | undefined }, actor: string): Promise<{ ok: true; user: UserView } | AuthFailure>;
    /** `DELETE /api/v1/users/{name}`. */
    remove(name: string, actor: string): Promise<{ ok: true } | AuthFailure>;
  };
  tokens: {
    /** API tokens without their secrets (`GET /api/v1/tokens`). */
    list(): Promise<TokenView[]>;
    /** A new token and its secret, shown once (`POST /api/v1/tokens`). */
    create(input: { name: string; role: Role; service?: string | undefined; expiresInDays?: number | undefined }, actor: string): Promise<{ secret: string; token: TokenView }>;
    /** `DELETE /api/v1/tokens/{id}`. */
    revoke(id: string, actor: string): Promise<{ ok: true; token: TokenView } | AuthFailure>;
  };
  lockouts: {
    /** Paused addresses and locked users (`GET /api/v1/auth/lockouts`). */
    list(): Promise<LockoutsView>;
    /** Lifts lockouts (`DELETE /api/v1/auth/lockouts`). */
    clear(target: ClearLockoutsQuery, actor: string): Promise<{ addresses: number; users: number }>;
  };
  /** Sessions or tokens that stopped being valid: live sockets using them are closed. Returns the unsubscribe. */
  onRevoked(listener: (credentialIds: string[]) => void): () => void;
  /** Credentials another replica revoked: out of the token cache, and their sockets here closed. */
  forgetRevoked(credentialIds: string[]): void;
}

export function createAuth(options: AuthOptions): Auth {
  const { db, audit } = options;
  const now = options.now ?? Date.now;
  const cost = options.passwordCost ?? DEFAULT_COST;
  const limiter = createLoginLimiter({ ...ADDRESS_LIMIT, now });
  // Five waiting is as many as can fail before the lock; more would only queue behind it.
  const accountQueue = createKeyedQueue(LOCKOUT.failures);
  // Unknown users cost one scrypt too, so response time does not tell which names exist; made on
  // the first such sign-in, not at start-up.
  let decoyHash: Promise<string> | undefined;
  const decoy = (): Promise<string> => (decoyHash ??= hashPassword(generatePassword(), cost));
  const revokedListeners = new Set<(credentialIds: string[]) => void>();
  const at = (): string => new Date(now()).toISOString();

  // Valid tokens seen lately, by hash: every call report authenticates, and a database round trip
  // each time halved ingest throughput (docs/BENCHMARKS.md). Trusted alone for TOKEN_CACHE_MS (so
  // another replica's revocation shows), and for OUTAGE_TRUST_MS while the database is unreachable.
  const tokens = createVerifiedCredentials(VERIFIED_MAX);
  // Sessions are read from the database on every request; these are only the outage's fallback.
  const sessions = createVerifiedCredentials(VERIFIED_MAX);
  const outage = options.outage;

  /**
   * A lookup the database could not answer: the principal it vouched for under OUTAGE_TRUST_MS
   * ago (null if that has expired since), else the error again. Other errors are not an outage.
   */
  const fallback = (verified: VerifiedCredentials, hash: string, time: number, error: unknown): Principal | null => {
    if (!isDatabaseUnreachable(error)) throw error;
    outage?.unreachable(error);
    const entry = verified.get(hash, time, OUTAGE_TRUST_MS);
    if (!entry) throw error;
    return unexpired(entry, time);
  };
  /** A write the answer does not depend on ("last seen", "last used", an expired session's row): skipped while the database is unreachable. */
  const bookkeeping = async (write: () => Promise<unknown>): Promise<void> => {
    try {
      await write();
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      outage?.unreachable(error);
    }
  };
  /**
   * Counts the revocations seen here. A lookup that read a credential before a revocation finished
   * must not keep what it read: it answers its own request, but is not remembered.
   */
  let revocations = 0;
  /** Out of this replica's memory at once, before the database is asked (which may be unreachable). */
  const dropHere = (credentialIds: readonly string[]): void => {
    revocations += 1;
    const revoked = new Set(credentialIds);
    tokens.forget(revoked);
    sessions.forget(revoked);
  };

  const forget = (credentialIds: string[]): void => {
    if (credentialIds.length === 0) return;
    dropHere(credentialIds);
    for (const listener of revokedListeners) listener(credentialIds);
  };
  const revoke = (credentialIds: string[]): void => {
    forget(credentialIds);
    if (credentialIds.length > 0) options.tellReplicas?.(credentialIds);
  };

  /** Deletes a user's sessions; their ids, to be revoked once the deletion is committed. */
  const deleteSessionsOf = async (userId: number, executor: Kysely<HistoryDatabase>): Promise<string[]> =>
    (await executor.deleteFrom('sessions').where('user_id', '=', userId).returning('id').execute()).map((row) => row.id);

  const endSessionsOf = async (userId: number): Promise<number> => {
    const ended = await deleteSessionsOf(userId, db);
    revoke(ended);
    return ended.length;
  };

  const enabledAdmins = async (executor: Kysely<HistoryDatabase>): Promise<number> => {
    const row = await executor.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('role', '=', 'admin').where('disabled', '=', 0).executeTakeFirst();
    return Number(row?.n ?? 0);
  };

  /**
   * Runs a change that may take away an admin with the count it checks: two admins demoting each
   * other at once must not both pass "another admin is left". SQLite's one connection runs
   * transactions one after another; PostgreSQL runs it serializable (replicas share the database)
   * and one that lost to another is run again, and then sees the other's change.
   */
  const withAdminsCounted = async <T>(change: (executor: Kysely<HistoryDatabase>) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().setIsolationLevel('serializable').execute(change);
      } catch (error) {
        if (attempt >= SERIALIZATION_ATTEMPTS || !isSerializationFailure(error)) throw error;
      }
    }
  };

  /** A session as the database vouched for it at `time`: idle expiry counts from "last seen" as written, absolute expiry from the sign-in. */
  const verifiedSession = (principal: Principal, createdMs: number, seenMs: number, time: number): VerifiedCredential => ({
    principal,
    expiresMs: Math.min(seenMs + options.idleSeconds * 1000, createdMs + options.maxSeconds * 1000),
    verifiedMs: time,
    touchedMs: seenMs,
  });

  const startSession = async (user: Selectable<UsersTable>): Promise<{ sessionSecret: string; principal: Principal }> => {
    const sessionSecret = newSecret();
    const id = digest(sessionSecret);
    const time = now();
    await db.insertInto('sessions').values({ id, user_id: user.id, created_ms: time, last_seen_ms: time }).execute();
    await db.updateTable('users').set({ last_login_ms: time, failed_logins: 0, locked_until_ms: null }).where('id', '=', user.id).execute();
    const principal: Principal = { kind: 'session', name: user.name, role: roleOf(user.role), credentialId: id };
    // Vouched for as it was written: a sign-in just before an outage keeps working through it.
    sessions.set(id, verifiedSession(principal, time, time, time));
    return { sessionSecret, principal };
  };

  /** One sign-in, run alone for its account; `failed` says whether it counts against the address. */
  const attempt = async (username: string, password: string, address: string): Promise<{ outcome: LoginOutcome; failed: boolean }> => {
    const refused = (reason: string): { outcome: AuthFailure; failed: true } => {
      audit({ at: at(), kind: 'auth.login_failed', actor: username.slice(0, 64), detail: `sign-in refused from ${address}: ${reason}` });
      return { outcome: failure(401, 'invalid_credentials', 'wrong user name or password'), failed: true };
    };
    const user = await db.selectFrom('users').selectAll().where('name', '=', username).executeTakeFirst();
    const lockedFor = (user?.locked_until_ms ?? 0) - now();
    if (user?.password_hash && lockedFor > 0) {
      const seconds = Math.ceil(lockedFor / 1000);
      audit({ at: at(), kind: 'auth.login_failed', actor: user.name, detail: `sign-in refused from ${address}: account locked` });
      return { outcome: failure(429, 'locked', `too many failed sign-ins for this account; try again in ${Math.ceil(seconds / 60)} min`, seconds), failed: false };
    }
    const valid = await verifyPassword(password, user?.password_hash ?? (await decoy()));
    if (!user || !user.password_hash) return refused(user ? 'user signs in through single sign-on' : 'no such user');
    if (!valid) {
      const lockUntil = now() + LOCKOUT.lockMs;
      const lockedNow = await countFailure(user.id, lockUntil);
      if (lockedNow) audit({ at: at(), kind: 'auth.locked', actor: user.name, detail: `${LOCKOUT.failures} failed sign-ins in a row: locked for ${LOCKOUT.lockMs / 60_000} min` });
      return refused('wrong password');
    }
    if (user.disabled === 1) return refused('user is disabled');
    const started = await startSession(user);
    audit({ at: at(), kind: 'auth.login', actor: user.name, detail: `signed in from ${address}` });
    return { outcome: { ok: true, ...started }, failed: false };
  };

  /**
   * One more failure in a row, in one statement (old values on the right of every SET): the
   * failure that reaches the limit locks the account and starts the count again. True when this
   * failure locked it.
   */
  const countFailure = async (userId: number, lockUntil: number): Promise<boolean> => {
    const row = await db
      .updateTable('users')
      .set((eb) => {
        const reachesLimit = eb('failed_logins', '>=', LOCKOUT.failures - 1);
        return {
          failed_logins: eb.case().when(reachesLimit).then(0).else(eb('failed_logins', '+', 1)).end(),
          locked_until_ms: eb.case().when(reachesLimit).then(lockUntil).else(eb.ref('locked_until_ms')).end(),
        };
      })
      .where('id', '=', userId)
      .returning(['failed_logins', 'locked_until_ms'])
      .executeTakeFirst();
    // Number(): PostgreSQL's driver returns int8 columns as strings.
    return row !== undefined && Number(row.failed_logins) === 0 && Number(row.locked_until_ms) === lockUntil;
  };

  return {
    /** First start: an admin with the given password, or a generated one (returned so it can be printed once). */
    async bootstrap(adminPassword: string | undefined): Promise<{ created: false } | { created: true; name: string; password: string; generated: boolean }> {
      const any = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
      if (any) return { created: false };
      const password = adminPassword ?? generatePassword();
      // Replicas starting together on one PostgreSQL all find no user: the first insert wins, the rest do nothing.
      const inserted = await db
        .insertInto('users')
        .values({ name: 'admin', password_hash: await hashPassword(password, cost), role: 'admin', source: 'local', oidc_subject: null, created_ms: now(), last_login_ms: null, locked_until_ms: null })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return { created: false };
      audit({ at: at(), kind: 'auth.user_changed', actor: 'switchyard', detail: 'first start: created user admin (role admin)' });
      return { created: true, name: 'admin', password, generated: adminPassword === undefined };
    },

    /**
     * A password sign-in. The address's slot is taken before anything is awaited, and attempts on
     * one account run one after another, each reading the lock afresh before its password check;
     * a failure is counted in one SQL statement, which also decides the lock, so no concurrent
     * attempt (here or on another replica) is lost.
     */
    login(username: string, password: string, address: string): Promise<LoginOutcome> {
      const slot = limiter.reserve(address);
      if (!slot.ok) return Promise.resolve(failure(429, 'rate_limited', `too many failed sign-ins from this address; try again in ${slot.retryAfterSeconds} s`, slot.retryAfterSeconds));
      const queued = accountQueue.run(username, async () => {
        try {
          const { outcome, failed } = await attempt(username, password, address);
          if (failed) slot.failed();
          else slot.release();
          return outcome;
        } catch (error) {
          slot.release();
          throw error;
        }
      });
      if (queued) return queued;
      slot.release();
      return Promise.resolve(failure(429, 'rate_limited', 'too many sign-ins for this account at once; try again in a moment', 1));
    },

    /** A user vouched for by the OIDC provider: created on first sign-in, role refreshed from the claims each time. */
    async loginExternal(identity: { issuer: string; subject: string; name: string; role: Role }, address: string): Promise<LoginOutcome> {
      const subject = `${identity.issuer}|${identity.subject}`;
      let user = await db.selectFrom('users').selectAll().where('oidc_subject', '=', subject).executeTakeFirst();
      if (!user) {
        const taken = await db.selectFrom('users').select('id').where('name', '=', identity.name).executeTakeFirst();
        const name = taken ? `${identity.name}#${randomBytes(3).toString('hex')}` : identity.name;
        user = await db
          .insertInto('users')
          .values({ name, password_hash: null, role: identity.role, source: 'oidc', oidc_subject: subject, created_ms: now(), last_login_ms: null, locked_until_ms: null })
          .returningAll()
          .executeTakeFirstOrThrow();
      } else if (user.role !== identity.role) {
        await db.updateTable('users').set({ role: identity.role }).where('id', '=', user.id).execute();
        user = { ...user, role: identity.role };
      }
      if (user.disabled === 1) {
        audit({ at: at(), kind: 'auth.login_failed', actor: user.name, detail: `single sign-on refused from ${address}: user is disabled` });
        return failure(403, 'disabled', 'this user is disabled in Switchyard');
      }
      const started = await startSession(user);
      audit({ at: at(), kind: 'auth.login', actor: user.name, detail: `signed in through single sign-on from ${address} (role ${identity.role})` });
      return { ok: true, ...started };
    },

    /** The session behind a cookie, if it exists, its user is enabled, and neither expiry has passed. */
    async authenticateSession(secret: string): Promise<Principal | null> {
      const id = digest(secret);
      const time = now();
      const revocationsBefore = revocations;
      let row;
      try {
        row = await db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select(['sessions.id', 'sessions.created_ms', 'sessions.last_seen_ms', 'users.name', 'users.role', 'users.disabled'])
          .where('sessions.id', '=', id)
          .executeTakeFirst();
      } catch (error) {
        return fallback(sessions, id, time, error);
      }
      outage?.reachable();
      if (!row) {
        sessions.delete(id);
        return null;
      }
      if (row.disabled === 1 || time - row.last_seen_ms > options.idleSeconds * 1000 || time - row.created_ms > options.maxSeconds * 1000) {
        await bookkeeping(() => db.deleteFrom('sessions').where('id', '=', id).execute());
        revoke([id]);
        return null;
      }
      let seenMs = row.last_seen_ms;
      if (time - seenMs > TOUCH_EVERY_MS) {
        seenMs = time;
        await bookkeeping(() => db.updateTable('sessions').set({ last_seen_ms: time }).where('id', '=', id).execute());
      }
      const principal: Principal = { kind: 'session', name: row.name, role: roleOf(row.role), credentialId: id };
      if (revocations === revocationsBefore) sessions.set(id, verifiedSession(principal, row.created_ms, seenMs, time));
      return principal;
    },

    cachedToken(secret: string): Principal | null | undefined {
      if (!secret.startsWith(TOKEN_PREFIX)) return null;
      const time = now();
      const entry = tokens.get(digest(secret), time, TOKEN_CACHE_MS);
      if (!entry || time - entry.touchedMs > TOUCH_EVERY_MS) return undefined;
      return unexpired(entry, time);
    },

    async authenticateToken(secret: string): Promise<Principal | null> {
      if (!secret.startsWith(TOKEN_PREFIX)) return null;
      const hash = digest(secret);
      const time = now();
      let entry = tokens.get(hash, time, TOKEN_CACHE_MS);
      if (!entry) {
        const revocationsBefore = revocations;
        let row;
        try {
          row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
        } catch (error) {
          return fallback(tokens, hash, time, error);
        }
        outage?.reachable();
        if (!row || row.revoked_ms !== null) {
          tokens.delete(hash);
          return null;
        }
        const principal: Principal = { kind: 'token', name: row.name, role: roleOf(row.role), ...(row.service !== null ? { scope: row.service } : {}), credentialId: row.id };
        entry = { principal, expiresMs: row.expires_ms, verifiedMs: time, touchedMs: row.last_used_ms ?? 0 };
        if (revocations === revocationsBefore) tokens.set(hash, entry);
      }
      const principal = unexpired(entry, time);
      if (principal && time - entry.touchedMs > TOUCH_EVERY_MS) {
        entry.touchedMs = time;
        const { credentialId } = entry.principal;
        await bookkeeping(() => db.updateTable('tokens').set({ last_used_ms: time }).where('id', '=', credentialId).execute());
      }
      return principal;
    },

    async logout(principal: Principal): Promise<void> {
      if (principal.kind !== 'session') return;
      // Refused here at once, even when the database cannot record the sign-out (answered 503, to be repeated).
      dropHere([principal.credentialId]);
      await db.deleteFrom('sessions').where('id', '=', principal.credentialId).execute();
      revoke([principal.credentialId]);
      audit({ at: at(), kind: 'auth.logout', actor: principal.name, detail: 'signed out' });
    },

    /** Ends every session of a user (their own "sign out everywhere", or an admin's). */
    async logoutEverywhere(userName: string, actor: string): Promise<number> {
      const user = await db.selectFrom('users').select('id').where('name', '=', userName).executeTakeFirst();
      if (!user) return 0;
      const ended = await endSessionsOf(user.id);
      audit({ at: at(), kind: 'auth.logout', actor, detail: `ended all ${ended} session(s) of ${userName}` });
      return ended;
    },

    async changeOwnPassword(userName: string, currentPassword: string, newPassword: string): Promise<{ ok: true } | AuthFailure> {
      const user = await db.selectFrom('users').selectAll().where('name', '=', userName).executeTakeFirst();
      if (!user?.password_hash) return failure(409, 'no_password', 'this user signs in through single sign-on');
      if (!(await verifyPassword(currentPassword, user.password_hash))) return failure(403, 'invalid_credentials', 'the current password is wrong');
      await db.updateTable('users').set({ password_hash: await hashPassword(newPassword, cost) }).where('id', '=', user.id).execute();
      await endSessionsOf(user.id);
      audit({ at: at(), kind: 'auth.user_changed', actor: user.name, detail: `${user.name} changed their password (all sessions ended)` });
      return { ok: true };
    },

    users: {
      async list(): Promise<UserView[]> {
        const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
        return rows.map((row) => userView(row, now()));
      },
      async create(input: { name: string; role: Role; password: string }, actor: string): Promise<{ ok: true; user: UserView } | AuthFailure> {
        const taken = await db.selectFrom('users').select('id').where('name', '=', input.name).executeTakeFirst();
        if (taken) return failure(409, 'exists', `user ${input.name} already exists`);
        const row = await db
          .insertInto('users')
          .values({ name: input.name, password_hash: await hashPassword(input.password, cost), role: input.role, source: 'local', oidc_subject: null, created_ms: now(), last_login_ms: null, locked_until_ms: null })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ at: at(), kind: 'auth.user_changed', actor, detail: `created user ${input.name} (role ${input.role})` });
        return { ok: true, user: userView(row, now()) };
      },
      /** Role, password or disabled; a password change, demotion or disabling ends the user's sessions. */
      async update(name: string, change: { role?: Role | undefined; password?: string | undefined; disabled?: boolean | undefined }, actor: string): Promise<{ ok: true; user: UserView } | AuthFailure> {
        // Hashed before the transaction, which must not wait on scrypt.
        const passwordHash = change.password !== undefined ? await hashPassword(change.password, cost) : undefined;
        const outcome = await withAdminsCounted(async (executor) => {
          const user = await executor.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
          if (!user) return failure(404, 'not_found', `no user ${name}`);
          const losesAdmin = user.role === 'admin' && user.disabled === 0 && ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
          if (losesAdmin && (await enabledAdmins(executor)) <= 1) return failure(409, 'last_admin', 'this is the last enabled admin; make another admin first');
          if (passwordHash !== undefined && user.source === 'oidc') return failure(409, 'no_password', 'this user signs in through single sign-on');
          const row = await executor
            .updateTable('users')
            .set({
              ...(change.role !== undefined ? { role: change.role } : {}),
              ...(change.disabled !== undefined ? { disabled: change.disabled ? 1 : 0 } : {}),
              ...(passwordHash !== undefined ? { password_hash: passwordHash, failed_logins: 0, locked_until_ms: null } : {}),
            })
            .where('id', '=', user.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          return { ok: true as const, before: user, row };
        });
        if (!outcome.ok) return outcome;
        const { before: user, row } = outcome;
        const demoted = change.role !== undefined && change.role !== user.role;
        if (change.password !== undefined || change.disabled === true || demoted) await endSessionsOf(user.id);
        const what = [
          change.role !== undefined ? `role ${user.role} → ${change.role}` : '',
          change.password !== undefined ? 'password reset' : '',
          change.disabled !== undefined ? (change.disabled ? 'disabled' : 'enabled') : '',
        ].filter(Boolean);
        audit({ at: at(), kind: 'auth.user_changed', actor, detail: `changed user ${name}: ${what.join(', ')}` });
        return { ok: true, user: userView(row, now()) };
      },
      async remove(name: string, actor: string): Promise<{ ok: true } | AuthFailure> {
        const outcome = await withAdminsCounted(async (executor) => {
          const user = await executor.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
          if (!user) return failure(404, 'not_found', `no user ${name}`);
          if (user.role === 'admin' && user.disabled === 0 && (await enabledAdmins(executor)) <= 1) return failure(409, 'last_admin', 'this is the last enabled admin; make another admin first');
          const ended = await deleteSessionsOf(user.id, executor);
          await executor.deleteFrom('users').where('id', '=', user.id).execute();
          return { ok: true as const, ended };
        });
        if (!outcome.ok) return outcome;
        // After the commit: a transaction run again (or refused) must not have closed anyone's sockets.
        revoke(outcome.ended);
        audit({ at: at(), kind: 'auth.user_changed', actor, detail: `deleted user ${name}` });
        return { ok: true };
      },
    },

    tokens: {
      async list(): Promise<TokenView[]> {
        const rows = await db.selectFrom('tokens').selectAll().orderBy('created_ms', 'desc').execute();
        return rows.map(tokenView);
      },
      /** The secret is returned here once and never again. */
      async create(input: { name: string; role: Role; service?: string | undefined; expiresInDays?: number | undefined }, actor: string): Promise<{ secret: string; token: TokenView }> {
        const secret = newSecret(TOKEN_PREFIX);
        const id = randomBytes(8).toString('hex');
        const time = now();
        const row = await db
          .insertInto('tokens')
          .values({
            id,
            name: input.name,
            hash: digest(secret),
            role: input.role,
            service: input.service ?? null,
            created_by: actor,
            created_ms: time,
            expires_ms: input.expiresInDays ? time + input.expiresInDays * 86_400_000 : null,
            last_used_ms: null,
            revoked_ms: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        audit({ at: at(), kind: 'auth.token_created', actor, detail: `created token ${input.name} (role ${input.role}${input.service ? `, service ${input.service}` : ''})` });
        return { secret, token: tokenView(row) };
      },
      async revoke(id: string, actor: string): Promise<{ ok: true; token: TokenView } | AuthFailure> {
        // As a sign-out: refused here at once, even when the database cannot record the revocation.
        dropHere([id]);
        const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) return failure(404, 'not_found', `no token ${id}`);
        if (row.revoked_ms !== null) return { ok: true, token: tokenView(row) };
        const revoked = await db.updateTable('tokens').set({ revoked_ms: now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
        revoke([id]);
        audit({ at: at(), kind: 'auth.token_revoked', actor, detail: `revoked token ${row.name}` });
        return { ok: true, token: tokenView(revoked) };
      },
    },

    /**
     * The way out of a lockout (an admin with an API token, or signed in from another address):
     * lists and clears per-address pauses (this process's memory) and account locks (the database).
     */
    lockouts: {
      async list(): Promise<LockoutsView> {
        const time = now();
        const rows = await db.selectFrom('users').select(['name', 'locked_until_ms']).where('locked_until_ms', '>', time).orderBy('name').limit(LOCKOUTS_LISTED).execute();
        return {
          addresses: limiter.limited().slice(0, LOCKOUTS_LISTED),
          users: rows.map((row) => ({ name: row.name, lockedUntil: new Date(Number(row.locked_until_ms)).toISOString() })),
        };
      },
      /** The named address and user, or every lockout when neither is named; returns how many were in force. */
      async clear(target: ClearLockoutsQuery, actor: string): Promise<{ addresses: number; users: number }> {
        const everything = target.address === undefined && target.user === undefined;
        const time = now();
        const addresses = everything || target.address !== undefined ? limiter.clear(target.address) : 0;
        let users = 0;
        if (target.user !== undefined) {
          // A named user also starts their count of failures in a row again.
          const before = await db.selectFrom('users').select('locked_until_ms').where('name', '=', target.user).executeTakeFirst();
          await db.updateTable('users').set({ failed_logins: 0, locked_until_ms: null }).where('name', '=', target.user).execute();
          users = Number(before?.locked_until_ms ?? 0) > time ? 1 : 0;
        } else if (everything) {
          const rows = await db.updateTable('users').set({ failed_logins: 0, locked_until_ms: null }).where('locked_until_ms', '>', time).returning('name').execute();
          users = rows.length;
        }
        const what = everything ? 'every sign-in lockout' : [target.address !== undefined ? `address ${target.address}` : '', target.user !== undefined ? `user ${target.user}` : ''].filter(Boolean).join(' and ');
        audit({ at: at(), kind: 'auth.user_changed', actor, detail: `cleared ${what} (${addresses} address(es) were paused, ${users} account(s) locked)` });
        return { addresses, users };
      },
    },

    /** Sessions or tokens that stopped being valid (logout, password change, revocation): live sockets using them are closed. */
    onRevoked(listener: (credentialIds: string[]) => void): () => void {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },

    /** Credentials another replica revoked: out of the token cache, and their sockets here closed. */
    forgetRevoked: forget,
  };
}

