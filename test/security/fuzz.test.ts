import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureLocalSecrets, signLocalToken, type TokenClaims } from '../../infra/local/keys.ts';
import { createLocalServer } from '../../infra/local/server.ts';
import {
  contractViolations,
  formatFuzzReport,
  fuzzCallers,
  fuzzRequest,
  LEAK_PATTERNS,
  operationsOf,
  runFuzz,
  seedFuzzTargets,
  type FuzzRequest,
  type OpenApiDocument,
} from '../support/fuzz.ts';

/**
 * The schema-driven fuzzer (test/support/fuzz.ts) against the local server's apps on DynamoDB
 * Local: every operation of GET /openapi.json, every role. `FUZZ_SEED` and `FUZZ_REQUESTS`
 * override the defaults; `npm run bench -- --only fuzz` runs 10,000.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20260115);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);

const server = createLocalServer();
const fetch = (url: string, init: RequestInit) => server.request(url, init);
const secrets = await ensureLocalSecrets(inject('keysDir'));
const token = (claims: TokenClaims) => signLocalToken(secrets.privateKeyFile, claims);

describe('the fuzzer itself', () => {
  const doc = {
    paths: {
      '/v1/things/{id}': {
        patch: {
          operationId: 'patchThing',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            content: {
              'application/merge-patch+json': { schema: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } }, required: ['name'] } },
            },
          },
        },
      },
    },
  };
  const ops = operationsOf(doc);
  const callers = [{ label: 'admin', authorization: 'Bearer a.b.c', valid: true }];

  it('generates the same request for the same seed and index, and others for other seeds', () => {
    const a = Array.from({ length: 50 }, (_, i) => fuzzRequest(7, i, ops, callers, { ids: [], byCollection: {}, byField: {}, cursors: [] }));
    const b = Array.from({ length: 50 }, (_, i) => fuzzRequest(7, i, ops, callers, { ids: [], byCollection: {}, byField: {}, cursors: [] }));
    const c = Array.from({ length: 50 }, (_, i) => fuzzRequest(8, i, ops, callers, { ids: [], byCollection: {}, byField: {}, cursors: [] }));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.map((r) => r.body)).size).toBeGreaterThan(10);
  });

  it('flags a 5xx, an error that is not problem+json, a malformed problem and a leaked stack or store name', () => {
    const request = { method: 'GET', url: '/v1/things/1' } as FuzzRequest;
    const problem = new Headers({ 'content-type': 'application/problem+json' });
    const ok = JSON.stringify({ type: 'urn:x', title: 'Bad request', status: 400, detail: 'no' });
    expect(contractViolations(request, 400, problem, ok, LEAK_PATTERNS)).toEqual([]);
    expect(contractViolations(request, 500, problem, ok.replace('400', '500'), LEAK_PATTERNS)).toEqual(['status 500']);
    expect(contractViolations(request, 400, new Headers({ 'content-type': 'text/plain' }), 'Bad Request', LEAK_PATTERNS)).toEqual([
      'error answered as "text/plain"',
    ]);
    expect(contractViolations(request, 404, problem, JSON.stringify({ title: 'x', status: 400, detail: 'y' }), LEAK_PATTERNS)).toEqual([
      'problem.type is not a string',
      'problem.status 400 is not the HTTP status 404',
    ]);
    for (const leak of [
      'TypeError: x is undefined',
      'at /work/shared/db/x.ts:12:3',
      'ConditionalCheckFailedException',
      'The DynamoDB table',
      'node_modules/hono',
    ]) {
      expect(contractViolations(request, 200, new Headers(), JSON.stringify({ detail: leak }), LEAK_PATTERNS), leak).not.toEqual([]);
    }
  });
});

describe('schema-driven fuzzing of every operation with every role', () => {
  it(`answers ${REQUESTS} generated requests (seed ${SEED}) with no 5xx, problem+json on every error and no internal detail`, async () => {
    console.log(`fuzz seed ${SEED} (FUZZ_SEED), ${REQUESTS} requests (FUZZ_REQUESTS)`);
    const doc = (await (await fetch('/openapi.json', {})).json()) as OpenApiDocument;
    const ops = operationsOf(doc);
    const { targets, team } = await seedFuzzTargets(fetch, token);
    const callers = await fuzzCallers(token, team);
    const report = await runFuzz({
      seed: SEED,
      requests: REQUESTS,
      fetch,
      ops,
      callers,
      targets,
      secrets: [process.env.TABLE_NAME!, secrets.cursorSecret, secrets.documentHashSecret],
    });
    console.log(formatFuzzReport(report));

    expect(report.failures, formatFuzzReport(report)).toEqual([]);
    expect(report.failureCount).toBe(0);
    // The run covered the document and got past validation, not only 401s and 400s.
    expect(Object.keys(report.operations).sort()).toEqual(ops.map((o) => o.operationId).sort());
    expect(Object.values(report.operations).filter((o) => o.ok > 0).length).toBeGreaterThanOrEqual(Math.floor(ops.length / 2));
  }, 180_000);
});
