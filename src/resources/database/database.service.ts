import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, MixedList, QueryFailedError, QueryRunner } from 'typeorm';
import { MigrationExecutor } from 'typeorm/migration/MigrationExecutor';
import { redactUrl } from '../../common/util/redact-url';
import { ManagedResourceBase, ResourceHealth } from '../registry/managed-resource';
import type { ResourceObservation, SelfTestPlan } from '../registry/observation';
import { ResourceRegistry } from '../registry/resource-registry.service';
import { ResourceType } from '../registry/resource-state';
import {
  DATABASE_PROBE_TIMEOUT_MS,
  DATABASE_RESOURCE_NAME,
  DATABASE_SCHEMA,
  MIGRATION_LOCK_KEY,
} from './database.constants';
import { DatabaseUnavailableError, breaksConnection, toDatabaseError } from './database.errors';
import { DatabaseStatus, observeDatabase } from './database.observation';
import { EmbeddedPostgres } from './embedded-postgres';
import { DATABASE_OPTIONS } from './database.module-definition';
import { DatabaseOptions } from './database.options';
import { QueryStatsSubscriber } from './query-stats.subscriber';
import { Statement, statementText, toQueryConfig } from './database.statements';
import { withTimeout } from '../../common/util/with-timeout';
import { round } from '../../common/util/round';
import { MetricDefinitions, OPERATION_BUCKETS } from '../../common/metrics/metric-definitions';

/** Entities and migrations the features contribute. */
export interface DatabaseSchema {
  entities: MixedList<string | (new () => unknown)>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
}

/**
 * The shared PostgreSQL pool (TypeORM over pg).
 *
 * v14's pool_size / max_overflow map onto pg's pool as: `min` = `poolSize` connections kept,
 * `max` = pool size + `maxOverflow`; connections above `min` close after `idleTimeoutMs` idle,
 * which is SQLAlchemy's overflow behaviour. pg's
 * `connectionTimeoutMillis` bounds both the wait for a free client and a new connection, so it
 * is the acquire timeout; pg's defaults would wait forever.
 */
@Injectable()
export class DatabaseService extends ManagedResourceBase {
  private dataSource?: DataSource;
  private embedded?: EmbeddedPostgres;
  private readonly queryStats = new QueryStatsSubscriber();
  /** Clients `query` has given its error listener (see connectClient). */
  private readonly guardedClients = new WeakSet<PoolClient>();
  private url?: string;

  constructor(
    @Inject(DATABASE_OPTIONS) private readonly options: DatabaseOptions,
    @Inject(DATABASE_SCHEMA) private readonly schema: DatabaseSchema,
    registry: ResourceRegistry,
  ) {
    super(DATABASE_RESOURCE_NAME, ResourceType.DATABASE, { required: true });
    registry.register(this);
  }

  /** The pool's bounds as configured (embedded mode: one connection, see EmbeddedPostgres). */
  get poolBounds(): { size: number; maxOverflow: number; max: number } {
    if (this.options.embedded) return { size: 1, maxOverflow: 0, max: 1 };
    const { poolSize: size, maxOverflow } = this.options;
    return { size, maxOverflow, max: size + maxOverflow };
  }

  /** Runs fn on one pooled connection, always released, on success and on error. */
  async withSession<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = await this.acquire();
    let failure: unknown;
    try {
      return await fn(runner.manager);
    } catch (error) {
      failure = error;
      throw this.mapError(error);
    } finally {
      await this.release(runner, failure);
    }
  }

  /** Runs fn in a transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.withSession(async (manager) => {
      const runner = manager.queryRunner as QueryRunner;
      await runner.startTransaction();
      try {
        const result = await fn(manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * One query on a pooled connection, its rows. Runs straight on pg's pool rather than through a
   * TypeORM QueryRunner (whose per-call objects, logger and subscriber broadcasts were most of a
   * read's JavaScript); counted, timed and mapped as before, and a query's own error is still
   * TypeORM's QueryFailedError with pg's error as driverError. Pass a NamedStatement for a
   * query run often: parsed once per connection.
   */
  async query<T = Record<string, unknown>>(
    statement: Statement,
    parameters?: unknown[],
  ): Promise<T[]> {
    const client = await this.connectClient();
    const started = performance.now();
    let failure: unknown;
    try {
      const result = await client.query(toQueryConfig(statement, parameters));
      // Several statements in one text answer an array of results: no rows of one's own.
      return (result.rows ?? []) as T[];
    } catch (error) {
      failure = error;
      throw this.mapError(
        new QueryFailedError(statementText(statement), parameters, error as Error),
      );
    } finally {
      this.queryStats.record(failure === undefined, performance.now() - started);
      // pg-pool destroys a client released with an error: a broken connection is never reused.
      client.release(breaksConnection(failure) ? (failure as Error) : undefined);
    }
  }

  stats(): DatabaseStatus {
    const pool = this.pool;
    const { size, maxOverflow, max } = this.poolBounds;
    const total = pool?.totalCount ?? 0;
    const idle = pool?.idleCount ?? 0;
    const inUse = total - idle;
    return {
      name: this.name,
      type: this.type,
      state: this.state,
      url: redactUrl(this.url ?? this.options.url),
      embedded: this.options.embedded,
      pool: {
        size,
        max_overflow: maxOverflow,
        max,
        total,
        idle,
        in_use: inUse,
        waiting: pool?.waitingCount ?? 0,
        usage_percent: round((inUse / max) * 100, 1),
      },
      stats: {
        queries: this.queryStats.queries,
        errors: this.queryStats.errors,
        avg_query_ms: this.queryStats.avgQueryMs,
      },
      last_error: this.lastError ?? null,
    };
  }

  observe(): ResourceObservation {
    return observeDatabase(this.stats());
  }

  /** Its own series: each query's time (PromQL gives any window's mean or p95 from it). */
  defineMetrics(m: MetricDefinitions): void {
    this.queryStats.duration = m.durationHistogram(
      'database_query_duration_seconds',
      'Time of each database query, from sending it to its answer.',
      [],
      OPERATION_BUCKETS,
    );
  }

  /** The self-test: a `SELECT 1` per round. */
  selfTestPlan(): SelfTestPlan {
    return { operations: [() => this.query('SELECT 1')] };
  }

  /** Connections in use as a share of the pool's maximum, 0–100. */
  usagePercent(): number {
    const pool = this.pool;
    if (!pool) return 0;
    return round(((pool.totalCount - pool.idleCount) / this.poolBounds.max) * 100, 1);
  }

  protected async doInit(): Promise<void> {
    if (this.options.embedded) {
      this.embedded = new EmbeddedPostgres(this.options.dataDir);
      this.url = await this.embedded.start();
    } else {
      this.url = this.options.url;
    }
    this.dataSource = this.createDataSource(this.url as string);
    await this.connectWithRetries(this.dataSource);
    await this.migrate(this.dataSource);
    await this.warmUp();
  }

  protected async doShutdown(): Promise<void> {
    // pg's pool.end() waits for checked-out clients to come back before closing.
    await this.dataSource
      ?.destroy()
      .catch((error: Error) => this.logger.warn(`pool end: ${error.message}`));
    this.dataSource = undefined;
    await this.embedded?.stop();
    this.embedded = undefined;
  }

  protected async probe(): Promise<ResourceHealth> {
    const started = Date.now();
    try {
      await withTimeout(this.query('SELECT 1'), DATABASE_PROBE_TIMEOUT_MS, 'database probe');
      this.markRecovered();
      // Saturation is judged here, on the probe's schedule, not per query: it would flap.
      this.markBusy(this.usagePercent() >= 90 && !this.options.embedded);
      return { status: 'healthy', details: { latency_ms: Date.now() - started } };
    } catch (error) {
      this.markError(describe(error));
      return { status: 'unhealthy', details: { error: describe(error) } };
    }
  }

  private get pool(): Pool | undefined {
    return (this.dataSource?.driver as unknown as { master?: Pool } | undefined)?.master;
  }

  private createDataSource(url: string): DataSource {
    const { size, max } = this.poolBounds;
    return new DataSource({
      type: 'postgres',
      url,
      entities: this.schema.entities,
      migrations: this.schema.migrations,
      subscribers: [],
      synchronize: false,
      migrationsRun: false,
      logging: false,
      applicationName: 'captions-api',
      connectTimeoutMS: this.options.acquireTimeoutMs,
      poolSize: max,
      poolErrorHandler: (error: Error) => this.onIdleClientError(error),
      extra: {
        min: size,
        idleTimeoutMillis: this.options.idleTimeoutMs,
        statement_timeout: this.options.statementTimeoutMs,
        query_timeout: this.options.statementTimeoutMs + 1000,
        keepAlive: true,
      },
    });
  }

  /**
   * Opens the `poolSize` connections up front: pg's `min` only stops idle ones from
   * being closed, it does not open them, and the first burst of traffic should not pay for
   * connection set-up. A warm-up that falls short (server connection limit) is only logged.
   */
  private async warmUp(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    const clients = await Promise.allSettled(
      Array.from({ length: this.poolBounds.size }, () => pool.connect()),
    );
    const opened = clients.filter((c) => c.status === 'fulfilled');
    opened.forEach((c) => c.value.release());
    if (opened.length < clients.length) {
      this.logger.warn(`opened ${opened.length} of ${clients.length} pool connections at start-up`);
    }
  }

  /** A dropped idle connection (server restart, pg_terminate_backend) must never crash us. */
  private onIdleClientError(error: Error): void {
    this.logger.warn(`idle database connection dropped: ${describe(error)}`);
  }

  private async connectWithRetries(dataSource: DataSource): Promise<void> {
    const attempts = this.options.connectRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        await dataSource.initialize();
        dataSource.subscribers.push(this.queryStats);
        return;
      } catch (error) {
        if (attempt >= attempts) {
          throw new Error(
            `cannot connect to the database after ${attempts} attempts (${describe(error)}); check DATABASE_URL or unset it to use the embedded database`,
            { cause: error },
          );
        }
        const delay = Math.min(200 * 2 ** (attempt - 1), 5000);
        this.logger.warn(
          `connect attempt ${attempt}/${attempts} failed (${describe(error)}); retrying in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Runs pending migrations on one connection that holds a session advisory lock, so two
   * instances starting together take turns instead of racing (TypeORM has no lock of its own).
   */
  private async migrate(dataSource: DataSource): Promise<void> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      try {
        const executor = new MigrationExecutor(dataSource, runner);
        executor.transaction = 'each';
        const applied = await executor.executePendingMigrations();
        if (applied.length > 0)
          this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  /** A pooled pg client for `query` (acquire timeout and failures mapped like `acquire`). */
  private async connectClient(): Promise<PoolClient> {
    this.assertUsable();
    const pool = this.pool;
    if (!pool) throw new DatabaseUnavailableError('unreachable');
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw this.mapError(error);
    }
    this.markRecovered();
    if (!this.guardedClients.has(client)) {
      // pg-pool listens for a client's errors only while it is idle, and pg emits 'error' when
      // the socket dies under a query: unheard, that would crash the process. The query in
      // flight gets the same error and reports it, so the listener itself has nothing to do.
      client.on('error', ignoreError);
      this.guardedClients.add(client);
    }
    return client;
  }

  private async acquire(): Promise<QueryRunner> {
    this.assertUsable();
    if (!this.dataSource) throw new DatabaseUnavailableError('unreachable');
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      this.markRecovered();
      return runner;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw this.mapError(error);
    }
  }

  /**
   * Returns the connection. One released inside an open transaction, or after a connection
   * error, is destroyed (pg-pool drops a client released with an error), never reused.
   */
  private async release(runner: QueryRunner, failure: unknown): Promise<void> {
    const broken = runner.isTransactionActive || breaksConnection(failure);
    const reason = broken ? new Error('released mid-transaction or broken') : undefined;
    // releasePostgresConnection(err) is TypeORM's way to hand pg-pool an error, which destroys the client.
    await (runner as unknown as ReleasableRunner).releasePostgresConnection(reason);
  }

  private mapError(error: unknown): unknown {
    // The database itself is in trouble (not merely busy with a lock): health shows it at once.
    if (breaksConnection(error)) this.markError(describe(error));
    const pool = this.pool;
    const full = Boolean(pool && pool.totalCount >= this.poolBounds.max);
    return toDatabaseError(error, full, this.options.acquireTimeoutMs);
  }
}

interface ReleasableRunner {
  releasePostgresConnection(error?: Error): Promise<void>;
}

function ignoreError(): void {}

/** Error text safe for logs: driver messages carry no credentials, but strip URLs anyway. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\w+:\/\/[^\s]+/g, (url) => redactUrl(url) ?? '***');
}
