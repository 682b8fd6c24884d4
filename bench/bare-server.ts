/**
 * The baseline of bench/http.bench.ts: a bare Fastify 5 server answering a constant JSON body,
 * run as its own process (like the app), so neither shares an event loop with autocannon.
 *
 *   PORT=3001 node -r @swc-node/register bench/bare-server.ts
 */
import Fastify from 'fastify';

const body = { status: 'ok', service: 'bare-fastify' };
const app = Fastify({ logger: false });
app.get('/', async () => body);
app.post('/', async () => body);

app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) }).then(
  (address) => console.log(`listening ${address}`),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void app.close().then(() => process.exit(0)));
}
