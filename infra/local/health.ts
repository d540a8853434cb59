/**
 * `GET /health` on the local server: ok only when the database answers. The `meta` function's
 * `/health` (what API Gateway serves) says only that the function runs; locally the database is
 * a child process that can die on its own, and a health check that cannot see that is no check.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Hono } from 'hono';
import { config } from '../../shared/config.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.ts';

/** One attempt, one second: a health check must answer quickly, not retry. */
const client = new DynamoDBClient({
  region: config.AWS_REGION,
  ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  maxAttempts: 1,
  requestHandler: { requestTimeout: 1000, connectionTimeout: 1000, throwOnRequestTimeout: true },
});

/** Whether the table answers a DescribeTable (cheap: no items are read). */
export async function databaseAnswers(): Promise<boolean> {
  try {
    const table = await client.send(new DescribeTableCommand({ TableName: config.TABLE_NAME }));
    return table.Table?.TableStatus === 'ACTIVE';
  } catch {
    return false;
  }
}

/** Mounts `GET /health` (before the `meta` app, which would otherwise answer it): 200 `{ status: 'ok' }` or 503 problem+json. */
export function mountDatabaseHealth(root: Hono): void {
  root.get('/health', async (c) => {
    if (await databaseAnswers()) return c.json({ status: 'ok' as const }, 200, { 'Cache-Control': 'no-store' });
    const problem = new HttpProblem(
      503,
      'database-unavailable',
      'Service unavailable',
      'The database does not answer; npm start restarts it when it stops, so try again in a few seconds.',
    );
    return c.body(JSON.stringify(problem.toBody()), 503, { 'Content-Type': PROBLEM_CONTENT_TYPE, 'Cache-Control': 'no-store', 'Retry-After': '5' });
  });
}
