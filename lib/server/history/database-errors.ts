import { PostgresDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryCompiler, type QueryResult, type TransactionSettings } from 'kysely';
import { markFromDatabase } from './unreachable';

/** Runs a driver step, marking what it throws as the database's own. */
async function fromDatabase<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw markFromDatabase(error);
  }
}

class MarkingConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return fromDatabase(() => this.inner.executeQuery<R>(query));
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } catch (error) {
      throw markFromDatabase(error);
    }
  }
}

/** The driver's own connection: it releases only what it handed out. */
const innerOf = (connection: DatabaseConnection): DatabaseConnection => (connection instanceof MarkingConnection ? connection.inner : connection);

const NO_SAVEPOINTS = 'this driver has no savepoints';

/** Kysely's driver with every error it throws marked (`markFromDatabase`), checkout and connect included. */
class MarkingDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return fromDatabase(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new MarkingConnection(await fromDatabase(() => this.inner.acquireConnection()));
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return fromDatabase(() => this.inner.beginTransaction(innerOf(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return fromDatabase(() => this.inner.commitTransaction(innerOf(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return fromDatabase(() => this.inner.rollbackTransaction(innerOf(connection)));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return fromDatabase(() => (this.inner.savepoint ? this.inner.savepoint(innerOf(connection), name, compile) : Promise.reject(new Error(NO_SAVEPOINTS))));
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return fromDatabase(() => (this.inner.rollbackToSavepoint ? this.inner.rollbackToSavepoint(innerOf(connection), name, compile) : Promise.reject(new Error(NO_SAVEPOINTS))));
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return fromDatabase(() => (this.inner.releaseSavepoint ? this.inner.releaseSavepoint(innerOf(connection), name, compile) : Promise.reject(new Error(NO_SAVEPOINTS))));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * Kysely's PostgreSQL dialect whose every error is marked as the database's, so that only those are
 * taken for a database outage (`isDatabaseUnreachable`): a connection refused or reset elsewhere
 * (an OIDC provider, a webhook, etcd) is not the database's and stays a logged 500.
 */
export class MarkingPostgresDialect extends PostgresDialect {
  override createDriver(): Driver {
    return new MarkingDriver(super.createDriver());
  }
}
