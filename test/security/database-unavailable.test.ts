import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../functions/tasks/app.ts';
import { storeUnavailable } from '../../shared/http/api.ts';
import { bearer } from '../support/tokens.ts';

/** When the database is down or shedding load the API says so (503, Retry-After), without internals; a bug stays a 500. */

const ddb = mockClient(DynamoDBDocumentClient);
let operations: Record<string, string>;

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });

beforeAll(async () => {
  operations = await bearer({ role: 'operations', country: 'KH' });
});
beforeEach(() => ddb.reset());

describe('a database that does not answer', () => {
  it('is a 503 problem with Retry-After naming no address or error code, when the connection is refused or the store throttles', async () => {
    for (const error of [refused(), throttled(), Object.assign(new Error('fetch failed'), { cause: refused() })]) {
      ddb.on(GetCommand).rejects(error);
      const res = await app.request('/v1/teams/01JTEAM0000000000000000000', { headers: operations });
      expect(res.status, error.message).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await res.text();
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Throttling|8000/);
      expect(JSON.parse(text)).toMatchObject({ status: 503, title: 'Service unavailable' });
    }
  });

  it('keeps an unexpected error a 500: only reachability and throttling count as unavailable', () => {
    expect(storeUnavailable(new Error('socket hang up'))).toBe(false);
    expect(storeUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(storeUnavailable(refused())).toBe(true);
    expect(storeUnavailable(throttled())).toBe(true);
  });
});
