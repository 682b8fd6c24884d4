import type { DatabaseSchema } from './database.service';

/** How the shared PostgreSQL pool is set up (built from the validated configuration in one place). */
export interface DatabaseOptions {
  /** postgres:// URL of the server; unset when `embedded`. */
  url?: string;
  /** No server given: an embedded PostgreSQL (PGlite) under `dataDir`, on a pool of one. */
  embedded: boolean;
  /** Folder the embedded PostgreSQL keeps its files under (`<dataDir>/pglite`). */
  dataDir: string;
  /** Connections kept open (pg `min`). */
  poolSize: number;
  /** Extra connections opened under load and closed when idle (pg `max` = poolSize + maxOverflow). */
  maxOverflow: number;
  /** Longest wait for a pooled connection, and to open a new one, before 503, ms. */
  acquireTimeoutMs: number;
  /** Server-side statement timeout, ms. */
  statementTimeoutMs: number;
  /** An overflow connection idle this long is closed, ms. */
  idleTimeoutMs: number;
  /** Connection attempts at start-up before giving up (exponential backoff). */
  connectRetries: number;
}

/** What `DatabaseModule.forRoot*` takes besides the options: the features' entities and migrations. */
export interface DatabaseModuleExtras {
  schema: DatabaseSchema;
}
