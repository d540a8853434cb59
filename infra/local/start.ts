/**
 * `npm start`: the whole system on one machine. DynamoDB Local (AWS's emulator, Java) with
 * data under DATA_DIR, the table from the shared definition, the function apps served at
 * the same paths as on API Gateway, and the event pipeline (stream poller → publisher → local
 * bus → deliverer → webhooks). Ctrl-C (or SIGTERM) stops everything, Java included.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { serve, type ServerType } from '@hono/node-server';
import { ensureTable } from '../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import { checkJava, startDynamoDbLocal, StartupError, type DynamoDbLocal } from './dynamodb.ts';
import { dataDirFromEnv, LOCAL_BUS_NAME, LOCAL_TABLE_NAME, localFunctionEnv } from './env.ts';
import type { LocalEventBus } from './event-bus.ts';
import { ensureLocalSecrets } from './keys.ts';
import type { StreamPoller } from './stream-poller.ts';

const say = (line: string) => process.stdout.write(`[clearway] ${line}\n`);

function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new StartupError(`Port ${port} is already in use: stop whatever is using it, or start on another port with PORT=${port + 1} npm start.`)
          : e.code === 'EACCES'
            ? new StartupError(`Port ${port} needs privileges this user lacks: choose another with PORT=3000 npm start.`)
            : e,
      ),
    );
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const portText = process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartupError(`PORT must be a port number from 1 to 65535, not "${portText}".`);
  const dataDir = dataDirFromEnv();

  checkJava();
  await checkPortFree(port);
  const secrets = await ensureLocalSecrets(dataDir);
  say(`starting DynamoDB Local (data in ${dataDir}) ...`);
  let dynamo: DynamoDbLocal | undefined = await startDynamoDbLocal({ dataDir });
  let server: ServerType | undefined;
  let notifications: { bus: LocalEventBus; poller: StreamPoller; clients: { destroy(): void }[] } | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping ...');
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (notifications) {
      // Before DynamoDB Local: a batch not yet delivered is not checkpointed and goes out on the next start.
      // A webhook that hangs could hold the batch in flight for a while: wait for it 3 s at most.
      notifications.bus.stop();
      await Promise.race([notifications.poller.stop(), new Promise((r) => setTimeout(r, 3000))]);
      for (const c of notifications.clients) c.destroy();
    }
    await dynamo?.stop();
    dynamo = undefined;
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  // Last resort if the process dies another way: never leave Java behind.
  process.once('exit', () => dynamo?.process.kill('SIGKILL'));
  dynamo.process.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`[clearway] DynamoDB Local stopped unexpectedly (exit ${code}); shutting down.\n`);
      dynamo = undefined;
      void shutdown(1);
    }
  });

  Object.assign(process.env, localFunctionEnv(dynamo.endpoint, secrets));
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await ensureTable(client, LOCAL_TABLE_NAME, tableDefinition);
  client.destroy();
  if (table.created) say(`created table ${LOCAL_TABLE_NAME}`);
  else if (table.addedIndexes.length > 0) say(`added indexes ${table.addedIndexes.join(', ')} to table ${LOCAL_TABLE_NAME}`);

  const webDir = await buildWebConsole();
  // Imported only now: the apps read their configuration from the environment at load.
  const { createLocalServer } = await import('./server.ts');
  const app = createLocalServer({ privateKeyFile: secrets.privateKeyFile, ...(webDir ? { webDir } : {}) });
  server = serve({ fetch: app.fetch, port }, (info) => {
    say(`listening on http://localhost:${info.port}  (web console: http://localhost:${info.port}/; API reference: http://localhost:${info.port}/docs; a token: npm run token -- --role admin)`);
    // Household imports a crash (or SIGKILL) left unfinished continue where they stopped.
    void import('./imports.ts').then(async ({ resumeLocalImports }) => {
      const resumed = await resumeLocalImports();
      if (resumed.length > 0) say(`resuming ${resumed.length} household import${resumed.length > 1 ? 's' : ''}`);
    });
    // DynamoDB Local deletes nothing by TTL: the retention periods are applied here instead.
    void Promise.all([import('./ttl-sweeper.ts'), import('../../shared/db/client.ts')]).then(([{ startTtlSweeper }, { documentClient }]) => {
      if (!stopping) startTtlSweeper(documentClient, LOCAL_TABLE_NAME, say);
    });
    void startNotifications(dynamo!.endpoint, dataDir).then((started) => {
      if (stopping) return;
      notifications = started;
      say(`notifications: stream poller running (checkpoints in ${started.checkpointFile})`);
    }, (e: unknown) => process.stderr.write(`[clearway] notifications could not start (the API still runs): ${e instanceof Error ? e.message : String(e)}\n`));
  });
  server.on('error', (e: NodeJS.ErrnoException) => {
    process.stderr.write(`[clearway] ${e.code === 'EADDRINUSE' ? `Port ${port} was taken while starting: start again, or use PORT=${port + 1} npm start.` : e.message}\n`);
    void shutdown(1);
  });
}

/**
 * Builds the web console (esbuild, about a second) so `/` serves the current sources. A failed
 * build is reported and the API starts anyway; the previous build, if any, is then not served.
 */
async function buildWebConsole(): Promise<string | undefined> {
  if (process.env.CLEARWAY_SKIP_WEB_BUILD === '1') return undefined;
  try {
    const { buildConsole } = await import('../../web/build.ts');
    const result = await buildConsole();
    say(`web console built in ${result.ms} ms`);
    return result.dir;
  } catch (e: unknown) {
    process.stderr.write(`[clearway] the web console could not be built (the API still runs): ${e instanceof Error ? e.message : String(e)}\n`);
    return undefined;
  }
}

/**
 * The local event pipeline: the stream poller feeds DynamoDB Local's stream to the publisher,
 * which puts events on the local bus, which routes them to the deliverer. Its failures are
 * logged and retried inside the poller; they never stop the server.
 */
async function startNotifications(endpoint: string, dataDir: string) {
  const { LocalEventBus } = await import('./event-bus.ts');
  const { StreamPoller, wakeOnWrites } = await import('./stream-poller.ts');
  // The client the function code writes with (loaded already, with the server's configuration).
  const { dynamo: shared } = await import('../../shared/db/client.ts');
  const clientConfig = { endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamo = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const checkpointFile = join(dataDir, 'stream-checkpoints.json');
  const bus = new LocalEventBus();
  const poller = new StreamPoller({ dynamo, streams, tableName: LOCAL_TABLE_NAME, checkpointFile, eventBridge: bus, busName: LOCAL_BUS_NAME });
  // Every write of this process (API, imports, event consumers) wakes the poller: its idle pause
  // can then grow to a second without delaying their events.
  wakeOnWrites(shared, poller);
  poller.start();
  return { bus, poller, clients: [dynamo, streams], checkpointFile };
}

main().catch((e: unknown) => {
  process.stderr.write(`[clearway] ${e instanceof StartupError ? e.message : `could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`}\n`);
  process.exit(1);
});
