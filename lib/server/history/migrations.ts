import { randomUUID } from 'node:crypto';
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/** The SQL dialects the store runs on: SQLite embedded (the default) or a shared PostgreSQL. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * Column types that differ per dialect. SQLite's `integer` holds 64 bits, PostgreSQL's only 32, so
 * millisecond times and row ids are `bigint` there (read back as numbers: see `database.ts`); SQLite
 * ids stay `integer primary key autoincrement`, PostgreSQL ids are identity columns.
 */
function columnsFor(dialect: SqlDialect) {
  const postgres = dialect === 'postgres';
  return {
    /** Milliseconds since the epoch, and other 64-bit integers. */
    ms: postgres ? 'bigint' : 'integer',
    id: postgres ? 'bigint' : 'integer',
    bytes: postgres ? 'bytea' : 'blob',
    primaryId: (column: ColumnDefinitionBuilder) => (postgres ? column.primaryKey().generatedByDefaultAsIdentity() : column.primaryKey().autoIncrement()),
  } as const;
}

/**
 * Versioned in the repo and listed here (not read from a folder) so a bundler cannot lose them.
 * Never edit a shipped migration; add the next one, and only add (nullable columns, tables, indexes):
 * a replica of the previous release restarted during a rolling upgrade opens the newer schema
 * (database.ts `migrateOrAcceptNewer`). A migration branches on the dialect only where
 * a type must differ, so SQLite keeps exactly the schema it always had (migrations.test.ts pins it).
 */
function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  const t = columnsFor(dialect);
  return {
    '001_events_and_runs': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('events')
          .addColumn('id', t.id, t.primaryId)
          .addColumn('at_ms', t.ms, (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('instance', 'text')
          .addColumn('from_state', 'text')
          .addColumn('to_state', 'text')
          .addColumn('actor', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .addColumn('until_ms', t.ms)
          .addColumn('natural_key', 'text', (c) => c.unique())
          .execute();
        await db.schema.createIndex('events_at').on('events').columns(['at_ms', 'id']).execute();
        await db.schema.createIndex('events_service_at').on('events').columns(['service', 'at_ms', 'id']).execute();
        await db.schema.createIndex('events_kind_at').on('events').columns(['kind', 'at_ms', 'id']).execute();
        await db.schema.createIndex('events_instance_at').on('events').columns(['instance', 'at_ms', 'id']).execute();
        await db.schema
          .createTable('runs')
          .addColumn('id', t.id, t.primaryId)
          .addColumn('started_ms', t.ms, (c) => c.notNull())
          .addColumn('alive_ms', t.ms, (c) => c.notNull())
          .addColumn('stopped_ms', t.ms)
          .execute();
      },
    },
    '002_users_sessions_tokens': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', t.id, t.primaryId)
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text')
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('oidc_subject', 'text', (c) => c.unique())
          // 0/1 on both dialects: better-sqlite3 refuses JS booleans, so the code never writes one.
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .addColumn('last_login_ms', t.ms)
          .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until_ms', t.ms)
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', t.id, (c) => c.notNull())
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .addColumn('last_seen_ms', t.ms, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema
          .createTable('tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('service', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .addColumn('expires_ms', t.ms)
          .addColumn('last_used_ms', t.ms)
          .addColumn('revoked_ms', t.ms)
          .execute();
      },
    },
    '003_lineages': {
      async up(db: Kysely<unknown>) {
        // How far each etcd lineage got: a keyspace behind that was restored (registry/lineage.ts).
        await db.schema
          .createTable('lineages')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('cluster_id', 'text', (c) => c.notNull())
          .addColumn('highest_revision', 'text', (c) => c.notNull())
          .addColumn('seen_ms', t.ms, (c) => c.notNull())
          .execute();
      },
    },
    '004_persisted_series': {
      async up(db: Kysely<unknown>) {
        // Latency series that survive a restart (metrics-store/persisted.ts): one id per series key…
        await db.schema
          .createTable('series_keys')
          .addColumn('id', t.id, t.primaryId)
          .addColumn('key', 'text', (c) => c.notNull().unique())
          .addColumn('seen_ms', t.ms, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('series_keys_seen').on('series_keys').column('seen_ms').execute();
        // …and per closed minute a packed batch of every series' slot (minute-codec.ts).
        await db.schema
          .createTable('series_minutes')
          .addColumn('id', t.id, t.primaryId)
          .addColumn('minute_ms', t.ms, (c) => c.notNull())
          .addColumn('records', 'integer', (c) => c.notNull())
          .addColumn('body', t.bytes, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('series_minutes_minute').on('series_minutes').columns(['minute_ms', 'id']).execute();
      },
    },
    '005_alert_silences': {
      async up(db: Kysely<unknown>) {
        // Operators' alert silences, shared by every replica (lib/server/alerts/silence-store.ts).
        await db.schema
          .createTable('alert_silences')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('alertname', 'text')
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .addColumn('until_ms', t.ms, (c) => c.notNull())
          .addColumn('ended_ms', t.ms)
          .addColumn('ended_by', 'text')
          .execute();
        await db.schema.createIndex('alert_silences_until').on('alert_silences').column('until_ms').execute();
      },
    },
    '006_alert_acks': {
      async up(db: Kysely<unknown>) {
        // Operators' acknowledgements of firing alerts, shared by every replica (lib/server/alerts/ack-store.ts).
        await db.schema
          .createTable('alert_acks')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('alertname', 'text', (c) => c.notNull())
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .addColumn('ended_ms', t.ms)
          // Who withdrew it; null when it ended because its alert resolved.
          .addColumn('ended_by', 'text')
          .execute();
        // One active acknowledgement per alert, even when two replicas take one at the same moment.
        await db.schema.createIndex('alert_acks_active').on('alert_acks').columns(['alertname', 'service']).unique().where(sql.ref('ended_ms'), 'is', null).execute();
      },
    },
    '007_events_service_instance_at': {
      async up(db: Kysely<unknown>) {
        // Each instance's last state event before an analysis window (history/analysis.ts): its
        // (service, instance) pairs are walked by seeks and each one's last event is one more seek,
        // instead of ranking every event before the window in one statement.
        await db.schema.createIndex('events_service_instance_at').on('events').columns(['service', 'instance', 'at_ms', 'id']).execute();
      },
    },
    '008_events_returned_as': {
      async up(db: Kysely<unknown>) {
        // The id a lost instance registered again under, on its `instance.lost_cleared` (HistoryEvent.returnedAs):
        // incidents read it instead of the detail's words. Older rows keep null and fall back to the detail.
        await db.schema.alterTable('events').addColumn('returned_as', 'text').execute();
      },
    },
    '009_events_service_instance_kind_at': {
      async up(db: Kysely<unknown>) {
        // An instance's newest row of one kind (History.latestPerInstance, the leader's catch-up) in
        // one seek: on 007's index the lookup walked back past every row of other kinds, 210 ms a
        // chunk for one instance with 300,000 health rows on SQLite, a heap read each on PostgreSQL.
        await db.schema.createIndex('events_service_instance_kind_at').on('events').columns(['service', 'instance', 'kind', 'at_ms', 'id']).execute();
      },
    },
    '010_install_identity': {
      async up(db: Kysely<unknown>) {
        // This install's identity (history/install-id.ts): made once, here, so every replica sharing
        // the database and every restart reads the same one. It marks what the install owns outside
        // itself (its acknowledgement silences in an Alertmanager other installs may share). One row.
        await db.schema
          .createTable('install_identity')
          .addColumn('singleton', 'integer', (c) => c.primaryKey().check(sql`singleton = 1`))
          .addColumn('id', 'text', (c) => c.notNull())
          .execute();
        await sql`insert into install_identity (singleton, id) values (1, ${randomUUID()})`.execute(db);
      },
    },
    '011_oidc_pending': {
      async up(db: Kysely<unknown>) {
        // Single sign-on logins on their way through the provider (auth/oidc-pending.ts), shared by
        // every replica: the provider's callback may reach another replica than the one that began
        // the login, or the same one restarted. Keyed by the SHA-256 of the browser's cookie id.
        await db.schema
          .createTable('oidc_pending')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('client', 'text', (c) => c.notNull())
          .addColumn('login', 'text', (c) => c.notNull())
          .addColumn('created_ms', t.ms, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('oidc_pending_created').on('oidc_pending').column('created_ms').execute();
        await db.schema.createIndex('oidc_pending_client').on('oidc_pending').column('client').execute();
      },
    },
    '012_events_first_failed': {
      async up(db: Kysely<unknown>) {
        // When the failed probes that turned an instance critical began (HistoryEvent.firstFailedAt):
        // its incident opens there. Older rows keep null and open at their own time.
        // SQLite migrates outside a transaction (PostgreSQL in one): a start killed between the column
        // and Kysely's record of it finds the column at the next ("duplicate column name", for good).
        if (dialect === 'sqlite') {
          const events = (await db.introspection.getTables()).find((table) => table.name === 'events');
          if (events?.columns.some((column) => column.name === 'first_failed_ms')) return;
        }
        await db.schema.alterTable('events').addColumn('first_failed_ms', t.ms).execute();
      },
    },
    '013_alert_acks_severity': {
      async up(db: Kysely<unknown>) {
        // The severity an acknowledgement covers (lib/model/alerts/acks.ts covers): an InstancesLost or
        // ServiceFlapping warning's acknowledgement must not cover the critical alert of the same name.
        // Older rows keep null and cover either. SQLite migrates outside a transaction: see 012.
        if (dialect === 'sqlite') {
          const acks = (await db.introspection.getTables()).find((table) => table.name === 'alert_acks');
          if (acks?.columns.some((column) => column.name === 'severity')) return;
        }
        await db.schema.alterTable('alert_acks').addColumn('severity', 'text').execute();
      },
    },
  };
}

/** The one migration set, built for the dialect it runs on. */
export const migrationProviderFor = (dialect: SqlDialect): MigrationProvider => ({
  getMigrations: () => Promise.resolve(migrationsFor(dialect)),
});
