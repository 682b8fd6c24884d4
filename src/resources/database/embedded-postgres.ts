import { Logger } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * An embedded PostgreSQL (PGlite, WASM) kept under a local folder and served on a loopback
 * port, so the very same `pg` driver, TypeORM entities and migrations work with no server
 * installed. PGlite is one connection underneath: callers must use a pool of one (NOTES.md:
 * two transactions on two connections deadlock).
 */
export class EmbeddedPostgres {
  private readonly logger = new Logger('EmbeddedPostgres');
  private db?: PGlite;
  private server?: PGLiteSocketServer;

  constructor(private readonly dataDir: string) {}

  /** Starts (initdb on first use) and returns a `postgres://` URL for the `pg` driver. */
  async start(): Promise<string> {
    const folder = resolve(this.dataDir, 'pglite');
    await mkdir(folder, { recursive: true });
    const started = Date.now();
    this.db = await PGlite.create(folder);
    this.server = new PGLiteSocketServer({ db: this.db, host: '127.0.0.1', port: 0 });
    await this.server.start();
    const port = Number(this.server.getServerConn().split(':').pop());
    this.logger.log(
      `embedded PostgreSQL (PGlite) serving ${folder} on 127.0.0.1:${port} after ${Date.now() - started} ms; set DATABASE_URL to use a PostgreSQL server instead`,
    );
    return `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.db?.close();
    this.server = undefined;
    this.db = undefined;
  }
}
