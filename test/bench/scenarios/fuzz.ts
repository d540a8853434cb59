import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { startDynamoDbLocal } from '../../../infra/local/dynamodb.ts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../../shared/db/table.ts';
import type { Scenario } from '../lib/scenario.ts';
import { formatFuzzReport, type FuzzReport } from '../../support/fuzz.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/**
 * The security suite's fuzzer at full size: requests generated from `GET /openapi.json` for every
 * operation and every role (test/support/fuzz.ts), sent in-process to the local server's apps on
 * DynamoDB Local, in a process of its own (test/bench/tools/fuzz-child.ts). Target: no 5xx,
 * problem+json on every error, no internal detail in any answer. `npm test` runs the same fuzzer
 * with 3,000 requests (test/security/fuzz.test.ts).
 */
export const fuzz: Scenario = {
  name: 'fuzz',
  description: 'schema-driven fuzzing of every operation with every role: no 5xx, problem+json errors, no leaks',
  options: {
    'fuzz-requests': { type: 'string', default: '10000' },
    'fuzz-seed': { type: 'string', default: '20260115' },
    'fuzz-concurrency': { type: 'string', default: '4' },
  },
  optionHelp: {
    'fuzz-requests': 'requests to send',
    'fuzz-seed': 'PRNG seed; request i of a seed is always the same request',
    'fuzz-concurrency': 'requests in flight',
  },
  async run(ctx) {
    const requests = Number(ctx.options['fuzz-requests']);
    ctx.progress.update('fuzz: starting DynamoDB Local');
    const dynamo = await startDynamoDbLocal();
    try {
      const client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'ap-southeast-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      // A name no answer could contain by chance, so that the leak check can look for it.
      const table = `fuzz-${randomUUID()}`;
      await ensureTable(client, table, tableDefinition);
      client.destroy();
      const args = [dynamo.endpoint, table, String(ctx.options['fuzz-seed']), String(requests), String(ctx.options['fuzz-concurrency'])];
      const child = spawn(process.execPath, ['test/bench/tools/fuzz-child.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      let result: (FuzzReport & { operationCount: number }) | undefined;
      for await (const line of createInterface({ input: child.stdout })) {
        if (line.startsWith('progress ')) ctx.progress.update(`fuzz: ${line.slice(9)}/${requests}`);
        else if (line.startsWith('result ')) result = JSON.parse(line.slice(7)) as FuzzReport & { operationCount: number };
      }
      const [code] = (await exited) as [number | null];
      if (code !== 0 || !result) throw new Error(`the fuzz process exited with ${code} and no result`);
      const first = result.failures[0];
      const failures = first
        ? [
            `${result.failureCount} of ${requests} answers broke the contract (first: #${first.index} ${first.method} ${first.url}: ${first.violations.join('; ')})`,
          ]
        : [];
      return { report: `${result.operationCount} operations\n${formatFuzzReport(result)}`, failures, data: { ...result } };
    } finally {
      await dynamo.stop();
    }
  },
};
