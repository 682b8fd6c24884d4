import { Client } from 'pg';
import { Socket } from 'node:net';

/** Fails fast, with what to do, when the real PostgreSQL or Redis the e2e tests need is absent. */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
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
