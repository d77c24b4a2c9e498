import type { Kysely } from 'kysely';
import type { HistoryDatabase } from './schema';

/**
 * This install's identity: a random id made once by migration 010, in the database its replicas
 * share, so it is the same on every replica and across restarts, and differs between installs that
 * share something else (an Alertmanager). Read once, then kept: it never changes.
 */
export function installIdReader(db: Kysely<HistoryDatabase>): () => Promise<string> {
  let known: string | undefined;
  return async () => {
    known ??= (await db.selectFrom('install_identity').select('id').where('singleton', '=', 1).executeTakeFirstOrThrow()).id;
    return known;
  };
}
