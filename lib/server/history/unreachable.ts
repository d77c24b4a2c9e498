/**
 * Whether an error says the database could not be reached (PostgreSQL stopped, restarting, failing
 * over, the network to it down), as opposed to a query that failed on its own (a bug, a constraint).
 * The first kind is answered 503 with `Retry-After`, the second stays a logged 500. Only an error
 * the store's driver threw counts (`markFromDatabase`, database-errors.ts), itself or as the cause
 * of one that wraps it: a connection refused or reset by anything else (an OIDC provider, a
 * webhook, etcd) was answered 503 "the console's database is unreachable" as well.
 *
 * Structural, not `instanceof`: Next bundles route handlers apart from server.ts, so an error made
 * in one bundle is no instance of a class imported in another (the mark is a `Symbol.for` key).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  const fromDatabase = markedIn(error);
  return fromDatabase !== undefined && saysUnreachable(fromDatabase);
}

/** Set on what the store's driver throws; a global symbol, the same in every bundle. */
const FROM_DATABASE = Symbol.for('switchyard.fromDatabase');

/** Marks an error as thrown by the store's database driver (not enumerable: logs show it as before). */
export function markFromDatabase(error: unknown): unknown {
  if (typeof error === 'object' && error !== null && Object.isExtensible(error)) Object.defineProperty(error, FROM_DATABASE, { value: true });
  return error;
}

/** The error the driver threw: `error` itself, or what it wraps (`cause`, an AggregateError's `errors`). */
function markedIn(error: unknown, depth = 0): object | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  if (FROM_DATABASE in error) return error;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = markedIn(inner, depth + 1);
      if (found) return found;
    }
  }
  return markedIn(cause, depth + 1);
}

function saysUnreachable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code))) return true;
  if (typeof message === 'string' && POOL_MESSAGES.test(message)) return true;
  // Node's connect to a name with several addresses fails with an AggregateError of each attempt.
  if (Array.isArray(errors) && errors.some((inner) => saysUnreachable(inner, depth + 1))) return true;
  return saysUnreachable(cause, depth + 1);
}

/** A connection that could not be made, or was cut (Node's socket error codes). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATE class 08 (connection exception) and 57P01–57P03: the server shutting down
 * ("terminating connection due to administrator command"), crashed, or not yet accepting
 * connections ("the database system is starting up").
 */
const SQLSTATE_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[123])$/;

/**
 * What `pg` says, without a code, about a connection it lost, one that did not answer within the
 * connect bound (`timeout expired`), or a wait for a pooled client past its bound ("timeout exceeded
 * when trying to connect": every client held that long by queries the database does not answer,
 * `CHECKOUT_TIMEOUT_MS` in database.ts).
 */
const POOL_MESSAGES = /^(Connection terminated|Client has encountered a connection error and is not queryable|timeout expired$|timeout exceeded when trying to connect$)/;

/**
 * Whether the database refused a write for what a row holds, so writing it again can never succeed:
 * PostgreSQL's SQLSTATE classes 22 (data exception: a NUL in text, a number out of range) and 23
 * (integrity constraint), SQLite's constraint, type and size refusals. A full disk or a lost
 * connection is none of these: what failed for them is kept and written later.
 */
export function isRowRefused(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return false;
  // A unique violation is the table's, not the row's (natural keys are ON CONFLICT DO NOTHING): an
  // id sequence left behind by a restore, which an operator can mend while the rows wait.
  if (error.code === '23505' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
  return /^(2[23][0-9A-Z]{3}|SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)\w*)$/.test(error.code);
}
