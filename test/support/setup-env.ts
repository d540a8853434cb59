import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { localFunctionEnv } from '../../infra/local/env.ts';
import { ensureLocalSecrets } from '../../infra/local/keys.ts';
import { ensureTable } from '../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../shared/db/table.ts';

// Runs before each test file is imported: a fresh table per file, and the environment the
// apps parse at load time (shared/config.ts) pointing at it.
const endpoint = inject('dynamoEndpoint');
const secrets = await ensureLocalSecrets(inject('keysDir'));
const tableName = `test-${randomUUID()}`;
Object.assign(process.env, localFunctionEnv(endpoint, secrets, tableName));

const client = new DynamoDBClient({ endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
await ensureTable(client, tableName, tableDefinition);
client.destroy();
