/**
 * A benchmark child process: serves the local server (all function apps) on PORT with the
 * environment it was given (its own TABLE_NAME), and prints "ready <port>" once listening.
 */
import { serve } from '@hono/node-server';

const { createLocalServer } = await import('../../../infra/local/server.ts');
const server = serve({ fetch: createLocalServer().fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`ready ${info.port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
