import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { freePort, startDynamoDbLocal } from '../../../infra/local/dynamodb.ts';
import { localFunctionEnv } from '../../../infra/local/env.ts';
import { ensureLocalSecrets, signLocalToken, type TokenClaims } from '../../../infra/local/keys.ts';
import { ensureTable } from '../../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../../shared/db/table.ts';
import { USER_RATE_LIMITS } from '../../../shared/http/user-rate-limits.ts';

/**
 * The local runtime's parts for a benchmark: one DynamoDB Local (in memory), tables from the
 * shared definition, local keys, and app servers (the same apps as `npm start`) in child
 * processes, one per table, so that two data sets can be measured alternately in one run.
 */
export interface AppServer {
  base: string;
  stop(): Promise<void>;
}

export interface LocalStack {
  /** Creates a table from the shared definition. */
  createTable(name: string): Promise<void>;
  /**
   * Turns the table's stream off or on again (the definition's view type), waiting until
   * DynamoDB Local reports it. A bulk seed with the stream off leaves the table no stream records:
   * DynamoDB Local's writes slow down with the stream records a table has accumulated.
   */
  setStream(name: string, enabled: boolean): Promise<void>;
  token(claims: TokenClaims): Promise<string>;
  /** Writes items with BatchWriteItem, 25 at a time, re-sending UnprocessedItems with backoff. */
  batchPut(tableName: string, items: Record<string, unknown>[]): Promise<void>;
  /** Runs a transaction (items as the repositories build them) against `tableName`, whatever table they name. */
  transact(tableName: string, items: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<void>;
  /** Starts the local server's apps on a free port against `tableName`. */
  serve(tableName: string): Promise<AppServer>;
  /** The environment the apps read, for importing them into this process instead. */
  env(tableName: string): Record<string, string>;
  /** DynamoDB Local's Java process, for measuring its CPU (`/proc/<pid>/task`). */
  dynamoDbPid: number | undefined;
  stop(): Promise<void>;
}

const root = new URL('../../../', import.meta.url).pathname;

export async function startLocalStack(): Promise<LocalStack> {
  const keysDir = await mkdtemp(join(tmpdir(), 'clearway-bench-'));
  const secrets = await ensureLocalSecrets(keysDir);
  const dynamo = await startDynamoDbLocal();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const servers: AppServer[] = [];
  // One bench user sends thousands of registrations in a minute: far past the per-user limits, which the benches do not measure.
  const unlimited = Object.fromEntries(USER_RATE_LIMITS.map((rule) => [rule.env, String(1e9)]));
  const env = (tableName: string) => ({ ...localFunctionEnv(dynamo.endpoint, secrets, tableName), ...unlimited, POWERTOOLS_LOG_LEVEL: 'ERROR' });

  return {
    env,
    dynamoDbPid: dynamo.process.pid,
    createTable: async (name) => {
      await ensureTable(client, name, tableDefinition);
    },
    setStream: async (name, enabled) => {
      await client.send(
        new UpdateTableCommand({
          TableName: name,
          StreamSpecification: enabled ? { StreamEnabled: true, StreamViewType: tableDefinition.streamViewType } : { StreamEnabled: false },
        }),
      );
      for (let i = 0; ; i++) {
        const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
        if (table?.TableStatus === 'ACTIVE' && (table.StreamSpecification?.StreamEnabled ?? false) === enabled) return;
        if (i > 600) throw new Error(`the stream of ${name} did not turn ${enabled ? 'on' : 'off'}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    token: (claims) => signLocalToken(secrets.privateKeyFile, claims),
    batchPut: async (tableName, items) => {
      for (let i = 0; i < items.length; i += 25) {
        let requests: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 0; requests && requests.length > 0; attempt++) {
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
          const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
          requests = out.UnprocessedItems?.[tableName] as typeof requests;
        }
      }
    },
    transact: async (tableName, items) => {
      const retargeted = items.map((item) => Object.fromEntries(Object.entries(item).map(([op, body]) => [op, { ...body, TableName: tableName }])));
      await documentClient.send(new TransactWriteCommand({ TransactItems: retargeted }));
    },
    serve: async (tableName) => {
      const port = await freePort();
      const proc = spawn(process.execPath, ['test/bench/lib/app-server.ts'], {
        cwd: root,
        env: { ...process.env, ...env(tableName), PORT: String(port) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        proc.once('exit', (code) => reject(new Error(`app server exited with ${code}`)));
      });
      const server: AppServer = {
        base: `http://127.0.0.1:${port}`,
        stop: async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const done = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await done;
        },
      };
      servers.push(server);
      return server;
    },
    stop: async () => {
      for (const s of servers) await s.stop();
      client.destroy();
      await dynamo.stop();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}
