import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { HistoryDatabase } from '../history/schema';
import { PENDING_LOGIN_MAX_AGE_MS, PendingOidcLoginSchema, type PendingOidcLogin } from './oidc';

/** Pending logins one client address may hold at once: a login that comes back is removed, so these are abandoned or in flight. */
export const MAX_PENDING_PER_ADDRESS = 100;
/** Pending logins all addresses together may hold; past it new ones are refused (429), none is evicted. */
export const MAX_PENDING = 10_000;

export type PutOutcome = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Single sign-on logins between `start` and the provider's callback, in the database every replica shares (createOidcPendingStore). */
export interface OidcPendingStore {
  /**
   * Keeps `login` under the browser's cookie `id`, counted against `client` (a `limiterKey`).
   * Refused while `client` holds `MAX_PENDING_PER_ADDRESS` or everyone `MAX_PENDING`: a flood
   * waits for its own logins to age out and never pushes anyone else's out.
   */
  put(id: string, client: string, login: PendingOidcLogin): Promise<PutOutcome>;
  /** The login kept under `id`, removed in the same statement: a callback is used once, on whichever replica it lands. */
  take(id: string): Promise<PendingOidcLogin | undefined>;
}

/** The database holds only a hash of the cookie's id: a copy of it names no browser's login. */
const rowId = (id: string): string => createHash('sha256').update(id).digest('base64url');

export function createOidcPendingStore(options: {
  db: Kysely<HistoryDatabase>;
  now: () => number;
  maxPerAddress?: number;
  maxPending?: number;
}): OidcPendingStore {
  const { db, now } = options;
  const maxPerAddress = options.maxPerAddress ?? MAX_PENDING_PER_ADDRESS;
  const maxPending = options.maxPending ?? MAX_PENDING;

  /** Seconds until the oldest of `client`'s (or, when it is under its cap, everyone's) logins ages out. */
  const retryAfter = async (client: string, at: number): Promise<number> => {
    const own = await db.selectFrom('oidc_pending').select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min('created_ms').as('oldest')]).where('client', '=', client).executeTakeFirst();
    let oldest = own && Number(own.n) >= maxPerAddress ? own.oldest : undefined;
    oldest ??= (await db.selectFrom('oidc_pending').select((eb) => eb.fn.min('created_ms').as('oldest')).executeTakeFirst())?.oldest;
    const left = oldest === undefined || oldest === null ? 1_000 : Number(oldest) + PENDING_LOGIN_MAX_AGE_MS - at;
    return Math.max(1, Math.ceil(left / 1000));
  };

  return {
    async put(id, client, login) {
      const at = now();
      await db.deleteFrom('oidc_pending').where('created_ms', '<', at - PENDING_LOGIN_MAX_AGE_MS).execute();
      // Counted and inserted in one statement; replicas starting logins at the same moment may pass a cap by a few.
      const inserted = await sql`
        insert into oidc_pending (id, client, login, created_ms)
        select ${rowId(id)}, ${client}, ${JSON.stringify(login)}, cast(${at} as bigint)
        where (select count(*) from oidc_pending where client = ${client}) < ${maxPerAddress}
          and (select count(*) from oidc_pending) < ${maxPending}`.execute(db);
      if (Number(inserted.numAffectedRows ?? 0) === 1) return { ok: true };
      return { ok: false, retryAfterSeconds: await retryAfter(client, at) };
    },
    async take(id) {
      const row = await db.deleteFrom('oidc_pending').where('id', '=', rowId(id)).returning(['login', 'created_ms']).executeTakeFirst();
      if (!row || now() - Number(row.created_ms) > PENDING_LOGIN_MAX_AGE_MS) return undefined;
      try {
        // Parsed like any input: a replica of another version, or anyone with write access to the database, wrote it.
        const parsed = PendingOidcLoginSchema.safeParse(JSON.parse(row.login));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
