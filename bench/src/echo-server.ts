/**
 * The framework baseline: a bare Fastify 5 app whose one route answers a JSON body with that same JSON.
 * Run as its own process, like the vault server (`node dist/echo-server.js`); prints `listening on <url>`.
 * No logger, no hooks, no schema: what the framework costs for a JSON request and answer, nothing else.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', async (request) => request.body);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
process.stderr.write(`listening on http://127.0.0.1:${address.port}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
