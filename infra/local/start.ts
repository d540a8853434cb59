/**
 * `npm start`: the whole system on one machine. DynamoDB Local (AWS's emulator, Java) with
 * data under DATA_DIR, the table from the shared definition, the function apps served at
 * the same paths as on API Gateway, and the event pipeline (stream poller → publisher → local
 * bus → deliverer → webhooks). Ctrl-C (or SIGTERM, to npm or to this process) stops everything,
 * Java included. Everything listens on loopback unless HOST says otherwise.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { ensureTable } from '../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import { ensureDataDir } from './data-dir.ts';
import { checkJava, startDynamoDbLocal, StartupError, type DynamoDbLocal } from './dynamodb.ts';
import { dataDirFromEnv, LOCAL_BUS_NAME, LOCAL_TABLE_NAME, localFunctionEnv } from './env.ts';
import type { LocalEventBus } from './event-bus.ts';
import { ensureLocalSecrets } from './keys.ts';
import { DEFAULT_HOST, isLoopbackHost } from './loopback.ts';
import type { StreamPoller } from './stream-poller.ts';

const say = (line: string) => process.stdout.write(`[clearway] ${line}\n`);
const warn = (line: string) => process.stderr.write(`[clearway] ${line}\n`);

function checkPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new StartupError(`Port ${port} is already in use: stop whatever is using it, or start on another port with PORT=${port + 1} npm start.`)
          : e.code === 'EACCES'
            ? new StartupError(`Port ${port} needs privileges this user lacks: choose another with PORT=3000 npm start.`)
            : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
              ? new StartupError(`HOST=${host} is not an address of this machine: leave HOST out to listen on ${DEFAULT_HOST}.`)
              : e,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** DynamoDB Local exits this many times within a minute: something is wrong that a restart cannot fix. */
const MAX_RESTARTS_PER_MINUTE = 5;

async function main(): Promise<void> {
  const portText = process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new StartupError(`PORT must be a port number from 1 to 65535, not "${portText}".`);
  const dynamoPortText = process.env.DYNAMODB_PORT;
  const fixedDynamoPort = dynamoPortText ? Number(dynamoPortText) : undefined;
  if (fixedDynamoPort !== undefined && !(Number.isInteger(fixedDynamoPort) && fixedDynamoPort >= 1 && fixedDynamoPort <= 65535)) {
    throw new StartupError(`DYNAMODB_PORT must be a port number from 1 to 65535, not "${dynamoPortText}".`);
  }
  const host = process.env.HOST || DEFAULT_HOST;
  const loopbackOnly = isLoopbackHost(host);
  const dataDir = dataDirFromEnv();

  checkJava();
  await checkPortFree(port, host);
  const { previousMode } = await ensureDataDir(dataDir);
  if (previousMode !== undefined)
    say(`${dataDir} was open to other users (mode ${previousMode.toString(8).padStart(4, '0')}); it is now 0700: it holds personal data and the signing key`);
  const secrets = await ensureLocalSecrets(dataDir);
  say(`starting DynamoDB Local (data in ${dataDir}) ...`);
  // A fixed port (DYNAMODB_PORT) is one a firewall rule can name; by default any free one.
  let dynamo: DynamoDbLocal | undefined = await startDynamoDbLocal({ dataDir, ...(fixedDynamoPort ? { port: fixedDynamoPort } : {}) });
  if (!dynamo.loopbackOnly)
    warn(
      `warning: DynamoDB Local listens on every interface (port ${dynamo.port}), answers any credentials and may lose a transaction it answered if ` +
        `killed: install a JDK (javac) so that npm start can fix both (README, "Security notes").`,
    );
  const dynamoPort = dynamo.port;
  let server: Server | undefined;
  let notifications: { bus: LocalEventBus; poller: StreamPoller; clients: { destroy(): void }[] } | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping ...');
    await new Promise<void>((r) => {
      if (!server?.listening) return r();
      server.close(() => r());
      // Keep-alive connections that sit idle would hold close() open.
      server.closeIdleConnections();
    });
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
  process.once('SIGHUP', () => void shutdown(0));
  // Last resort if the process dies another way: never leave Java behind.
  process.once('exit', () => dynamo?.process.kill('SIGKILL'));
  // `npm start` runs this through `sh -c`: a SIGTERM to npm ends npm and the shell, not this
  // process, which is then handed to another parent. A new parent means: stop.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      say('npm start was stopped (this process lost its parent)');
      void shutdown(0);
    }
  }, 500).unref();

  // DynamoDB Local is supervised: when it dies (crash, out of memory, a stray kill) it is started
  // again on the same data and port, so the clients' endpoint stays right.
  const restarts: number[] = [];
  const supervise = (child: DynamoDbLocal) =>
    child.process.once('exit', (code, signal) => {
      if (stopping || dynamo !== child) return;
      dynamo = undefined;
      void restartDatabase(signal ?? `exit ${code}`);
    });
  const restartDatabase = async (reason: string): Promise<void> => {
    const now = Date.now();
    restarts.push(now);
    while (restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
      warn(`DynamoDB Local stopped ${restarts.length} times within a minute (last: ${reason}); shutting down.`);
      return shutdown(1);
    }
    const started = performance.now();
    try {
      const restarted = await startDynamoDbLocal({ dataDir, port: dynamoPort });
      if (stopping) return restarted.stop();
      dynamo = restarted;
      supervise(restarted);
      say(`DynamoDB Local stopped (${reason}); restarted it on the same data in ${Math.round(performance.now() - started)} ms`);
    } catch (e: unknown) {
      warn(`DynamoDB Local stopped (${reason}) and could not be restarted: ${e instanceof Error ? e.message : String(e)}; trying again in 2 s.`);
      await new Promise((r) => setTimeout(r, 2000));
      if (!stopping) return restartDatabase(reason);
    }
  };
  supervise(dynamo);

  Object.assign(process.env, localFunctionEnv(dynamo.endpoint, secrets));
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await ensureTable(client, LOCAL_TABLE_NAME, tableDefinition);
  client.destroy();
  if (table.created) say(`created table ${LOCAL_TABLE_NAME}`);
  else if (table.addedIndexes.length > 0) say(`added indexes ${table.addedIndexes.join(', ')} to table ${LOCAL_TABLE_NAME}`);

  // Records stored before the monthly report's buckets existed are counted once, before any request can add to them.
  const { backfillMonthlyStats } = await import('./monthly-backfill.ts');
  const { documentClient: backfillClient } = await import('../../shared/db/client.ts');
  // A failed count leaves no marker: the next start counts again, and its whole buckets replace what requests added meanwhile.
  await backfillMonthlyStats(backfillClient, LOCAL_TABLE_NAME).then(
    (backfill) => {
      if (backfill.ran && backfill.buckets > 0)
        say(`monthly report: counted the records stored before it into ${backfill.buckets} monthly bucket${backfill.buckets > 1 ? 's' : ''}`);
    },
    (e: unknown) =>
      warn(`monthly report: the records stored before it could not be counted (the next start tries again): ${e instanceof Error ? e.message : String(e)}`),
  );

  // Hazard areas recorded before the clearance priorities existed enter their lists, counted once.
  const { backfillPriorities } = await import('./priorities-backfill.ts');
  await backfillPriorities(backfillClient, LOCAL_TABLE_NAME).then(
    (backfill) => {
      if (backfill.ran && backfill.areas > 0)
        say(`clearance priorities: ranked ${backfill.areas} hazard area${backfill.areas > 1 ? 's' : ''} recorded before them`);
    },
    (e: unknown) =>
      warn(
        `clearance priorities: the hazard areas recorded before them could not be ranked ` +
          `(the next start tries again): ${e instanceof Error ? e.message : String(e)}`,
      ),
  );

  // People of households stored before this duplicate index (or filed in its first one) are filed in it, once.
  const { backfillDuplicateIndex } = await import('./duplicates-backfill.ts');
  await backfillDuplicateIndex(backfillClient, LOCAL_TABLE_NAME).then(
    (backfill) => {
      if (backfill.ran && backfill.households > 0)
        say(
          `possible duplicates: filed the people of ${backfill.households} household${backfill.households > 1 ? 's' : ''} stored before this index` +
            (backfill.legacyBuckets > 0 ? ` (${backfill.legacyBuckets} bucket${backfill.legacyBuckets > 1 ? 's' : ''} of the year-by-year index deleted)` : ''),
        );
    },
    (e: unknown) =>
      warn(
        `possible duplicates: the households registered before the matching could not be filed (the next start tries again): ${e instanceof Error ? e.message : String(e)}`,
      ),
  );

  // Before listening: a request never meets a table without an edition, and DynamoDB Local is idle
  // again when the server answers (it serves nothing else while it commits the edition's writes).
  await ensureGazetteer();
  const webDir = await buildWebConsole();
  // Imported only now: the apps read their configuration from the environment at load.
  const { createLocalServer } = await import('./server.ts');
  const { createLocalHttpServer } = await import('./http-server.ts');
  const app = createLocalServer({ privateKeyFile: secrets.privateKeyFile, exposure: { port, loopbackOnly }, ...(webDir ? { webDir } : {}) });
  server = createLocalHttpServer(app.fetch);
  server.on('error', (e: NodeJS.ErrnoException) => {
    warn(e.code === 'EADDRINUSE' ? `Port ${port} was taken while starting: start again, or use PORT=${port + 1} npm start.` : e.message);
    void shutdown(1);
  });
  server.listen(port, host, () => {
    const origin = loopbackOnly ? `http://localhost:${port}` : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (!loopbackOnly) {
      warn(
        `warning: HOST=${host}: the API and web console are reachable from other machines (local sign-in stays on this one); the local runtime ` +
          `has no TLS and its database is for evaluation.`,
      );
    }
    say(`listening on ${origin}  (web console: ${origin}/; API reference: ${origin}/docs; a token: npm run token -- --role admin)`);
    // Household imports a crash (or SIGKILL) left unfinished continue where they stopped.
    void import('./imports.ts').then(async ({ resumeLocalImports }) => {
      const resumed = await resumeLocalImports();
      if (resumed.length > 0) say(`resuming ${resumed.length} household import${resumed.length > 1 ? 's' : ''}`);
    });
    // DynamoDB Local deletes nothing by TTL: the retention periods are applied here instead.
    void Promise.all([import('./ttl-sweeper.ts'), import('../../shared/db/client.ts')]).then(([{ startTtlSweeper }, { documentClient }]) => {
      if (!stopping) startTtlSweeper(documentClient, LOCAL_TABLE_NAME, say);
    });
    void startNotifications(dynamo!.endpoint, dataDir).then(
      (started) => {
        if (stopping) return;
        notifications = started;
        say(`notifications: stream poller running (checkpoints in ${started.checkpointFile})`);
      },
      (e: unknown) => warn(`notifications could not start (the API still runs): ${e instanceof Error ? e.message : String(e)}`),
    );
  });
}

/**
 * A table without a gazetteer edition gets the one the project ships (`data/gazetteer/`); one that
 * has an edition keeps it (an administrator may have loaded a newer one).
 */
async function ensureGazetteer(): Promise<void> {
  const { currentEdition, loadEdition } = await import('../../shared/db/repositories/gazetteer.ts');
  if (await currentEdition()) return;
  const { readGazetteerDir } = await import('./gazetteer-files.ts');
  const files = await readGazetteerDir();
  const started = performance.now();
  say(`loading gazetteer edition ${files.edition} (data/gazetteer) into the new table ...`);
  const report = await loadEdition(files.edition, files.countries, { sub: 'npm-start', role: 'admin', org: 'local' });
  say(`loaded gazetteer edition ${report.edition} (data/gazetteer, see its NOTICE.md) in ${Math.round(performance.now() - started)} ms`);
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
    warn(`the web console could not be built (the API still runs): ${e instanceof Error ? e.message : String(e)}`);
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
