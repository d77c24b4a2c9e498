import { type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * Versioned in the repo and listed here (not read from a folder) so a bundler cannot lose them.
 * Never edit a shipped migration; add the next one.
 */
const migrations: Record<string, Migration> = {
  '001_events_and_runs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('at_ms', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('service', 'text')
        .addColumn('instance', 'text')
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text')
        .addColumn('actor', 'text')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('until_ms', 'integer')
        .addColumn('natural_key', 'text', (c) => c.unique())
        .execute();
      await db.schema.createIndex('events_at').on('events').columns(['at_ms', 'id']).execute();
      await db.schema.createIndex('events_service_at').on('events').columns(['service', 'at_ms', 'id']).execute();
      await db.schema.createIndex('events_kind_at').on('events').columns(['kind', 'at_ms', 'id']).execute();
      await db.schema.createIndex('events_instance_at').on('events').columns(['instance', 'at_ms', 'id']).execute();
      await db.schema
        .createTable('runs')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('started_ms', 'integer', (c) => c.notNull())
        .addColumn('alive_ms', 'integer', (c) => c.notNull())
        .addColumn('stopped_ms', 'integer')
        .execute();
    },
  },
  '002_users_sessions_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('oidc_subject', 'text', (c) => c.unique())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_ms', 'integer', (c) => c.notNull())
        .addColumn('last_login_ms', 'integer')
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until_ms', 'integer')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('created_ms', 'integer', (c) => c.notNull())
        .addColumn('last_seen_ms', 'integer', (c) => c.notNull())
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
        .addColumn('created_ms', 'integer', (c) => c.notNull())
        .addColumn('expires_ms', 'integer')
        .addColumn('last_used_ms', 'integer')
        .addColumn('revoked_ms', 'integer')
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
        .addColumn('seen_ms', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
