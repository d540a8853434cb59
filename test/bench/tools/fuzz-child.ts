/**
 * Runs the fuzzer (test/support/fuzz.ts) in a process of its own, for the `fuzz` bench, so that
 * the apps load their configuration for this run's table whatever other scenarios loaded before.
 * Arguments: DynamoDB endpoint, table (created already), seed, requests, concurrency. Signs its
 * tokens with keys of its own. Prints `progress <n>` lines and, last, `result <json report>`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localFunctionEnv } from '../../../infra/local/env.ts';
import { ensureLocalSecrets, signLocalToken, type TokenClaims } from '../../../infra/local/keys.ts';

const [endpoint, table, seed, requests, concurrency] = process.argv.slice(2);
if (!endpoint || !table) throw new Error('usage: node test/bench/tools/fuzz-child.ts <endpoint> <table> <seed> <requests> <concurrency>');
const keysDir = await mkdtemp(join(tmpdir(), 'clearway-fuzz-'));
try {
  const secrets = await ensureLocalSecrets(keysDir);
  Object.assign(process.env, localFunctionEnv(endpoint, secrets, table), { POWERTOOLS_LOG_LEVEL: 'ERROR' });
  const { createLocalServer } = await import('../../../infra/local/server.ts');
  const { fuzzCallers, operationsOf, runFuzz, seedFuzzTargets } = await import('../../support/fuzz.ts');
  const server = createLocalServer();
  const fetch = (url: string, init: RequestInit) => server.request(url, init);
  const token = (claims: TokenClaims) => signLocalToken(secrets.privateKeyFile, claims);
  const ops = operationsOf((await (await fetch('/openapi.json', {})).json()) as Parameters<typeof operationsOf>[0]);
  const { targets, team } = await seedFuzzTargets(fetch, token);
  const report = await runFuzz({
    seed: Number(seed),
    requests: Number(requests),
    concurrency: Number(concurrency),
    fetch,
    ops,
    callers: await fuzzCallers(token, team),
    targets,
    secrets: [table, secrets.cursorSecret, secrets.documentHashSecret],
    keep: 100,
    onProgress: (done) => done % 250 === 0 && process.stdout.write(`progress ${done}\n`),
  });
  process.stdout.write(`result ${JSON.stringify({ ...report, operationCount: ops.length })}\n`);
} finally {
  await rm(keysDir, { recursive: true, force: true });
}
process.exit(0);
