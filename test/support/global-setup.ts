import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { ensureLocalSecrets } from '../../infra/local/keys.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    keysDir: string;
  }
}

/** One DynamoDB Local (in memory) and one signing key for the whole run; each test file gets its own table. */
let dynamo: DynamoDbLocal | undefined;
let keysDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  keysDir = await mkdtemp(join(tmpdir(), 'clearway-test-keys-'));
  await ensureLocalSecrets(keysDir);
  dynamo = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('keysDir', keysDir);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
  if (keysDir) await rm(keysDir, { recursive: true, force: true });
}
