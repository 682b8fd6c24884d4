import { Client } from 'pg';
import { Socket } from 'node:net';

/** Fails fast, with what to do, when the real PostgreSQL or Redis the e2e tests need is absent. */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await dropAbandonedDatabases(client);
  } catch (error) {
    throw new Error(
      `e2e tests need PostgreSQL at ${databaseUrl} (${(error as Error).message}); start it or set DATABASE_URL`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await new Promise<void>((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(5000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = () =>
      reject(new Error(`e2e tests need Redis at ${redis.host}; start it or set REDIS_URL`));
    socket.once('error', fail).once('timeout', fail);
    socket.connect(Number(redis.port || 6379), redis.hostname);
  });
}

/**
 * Drops test databases left by runs that were killed before their afterAll (the name carries
 * the creating process's pid; a database whose process is gone is abandoned).
 */
async function dropAbandonedDatabases(client: Client): Promise<void> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE datname LIKE 'captions\\_e2e\\_%'",
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[2]);
    if (Number.isInteger(pid) && !isAlive(pid)) {
      await client
        .query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        .catch(() => undefined);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
