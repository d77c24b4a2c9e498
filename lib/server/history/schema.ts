import type { Generated } from 'kysely';

export interface EventsTable {
  id: Generated<number>;
  at_ms: number;
  kind: string;
  service: string | null;
  instance: string | null;
  from_state: string | null;
  to_state: string | null;
  actor: string | null;
  detail: string;
  until_ms: number | null;
  /** Unique when present: a replayed event (relist, restart) is ignored, not duplicated. */
  natural_key: string | null;
  /** `HistoryEvent.returnedAs` (migration 008); null in rows written before it. */
  returned_as: string | null;
  /** `HistoryEvent.firstFailedAt` (migration 012); null in rows written before it and on rows it does not apply to. */
  first_failed_ms: number | null;
}

export interface RunsTable {
  id: Generated<number>;
  started_ms: number;
  alive_ms: number;
  stopped_ms: number | null;
}

export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** Null for users who sign in only through OIDC. */
  password_hash: string | null;
  role: string;
  source: 'local' | 'oidc';
  /** `issuer|sub` for OIDC users. */
  oidc_subject: string | null;
  disabled: Generated<number>;
  created_ms: number;
  last_login_ms: number | null;
  failed_logins: Generated<number>;
  locked_until_ms: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's secret: a copy of the database does not let anyone in. */
  id: string;
  user_id: number;
  created_ms: number;
  last_seen_ms: number;
}

export interface TokensTable {
  id: string;
  name: string;
  hash: string;
  role: string;
  service: string | null;
  created_by: string;
  created_ms: number;
  expires_ms: number | null;
  last_used_ms: number | null;
  revoked_ms: number | null;
}

/** One etcd lineage (registry/lineage.ts); revisions are decimal text, etcd's are 64-bit. */
export interface LineagesTable {
  id: string;
  cluster_id: string;
  highest_revision: string;
  seen_ms: number;
}

/** A persisted latency series: its store key as JSON text (`metrics-store/series-key.ts`). */
export interface SeriesKeysTable {
  id: Generated<number>;
  key: string;
  /** Last written, refreshed at most hourly: keys unseen past the retention are pruned. */
  seen_ms: number;
}

/** Closed minute slots of one minute, written together (`metrics-store/minute-codec.ts`). */
export interface SeriesMinutesTable {
  id: Generated<number>;
  minute_ms: number;
  records: number;
  body: Buffer;
}

/** An operator's alert silence; `ended_ms` when lifted before `until_ms`. */
export interface AlertSilencesTable {
  id: string;
  service: string;
  alertname: string | null;
  reason: string;
  created_by: string;
  created_ms: number;
  until_ms: number;
  ended_ms: number | null;
  ended_by: string | null;
}

/** An operator's acknowledgement of a firing alert; `ended_ms` once it resolved or was withdrawn (`ended_by`). */
export interface AlertAcksTable {
  id: string;
  alertname: string;
  service: string;
  /** The severity acknowledged (migration 013); null on older rows. */
  severity: string | null;
  reason: string | null;
  created_by: string;
  created_ms: number;
  ended_ms: number | null;
  ended_by: string | null;
}

/** This install's identity, one row made by migration 010 (history/install-id.ts). */
export interface InstallIdentityTable {
  singleton: number;
  id: string;
}

/** A single sign-on login between `start` and the provider's callback (migration 011, auth/oidc-pending.ts). */
export interface OidcPendingTable {
  /** SHA-256 (base64url) of the id in the browser's cookie. */
  id: string;
  /** The address that began it (`limiterKey`), for the per-address cap. */
  client: string;
  /** The `PendingOidcLogin` as JSON. */
  login: string;
  created_ms: number;
}

export interface HistoryDatabase {
  alert_acks: AlertAcksTable;
  alert_silences: AlertSilencesTable;
  events: EventsTable;
  install_identity: InstallIdentityTable;
  oidc_pending: OidcPendingTable;
  runs: RunsTable;
  lineages: LineagesTable;
  users: UsersTable;
  sessions: SessionsTable;
  tokens: TokensTable;
  series_keys: SeriesKeysTable;
  series_minutes: SeriesMinutesTable;
}
