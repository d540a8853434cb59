import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#shared/metrics.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config } from '#shared/config.ts';
import { parseAllowList } from '#shared/domain/webhook-url.ts';
import { deliverQueueRecords, type DeliveryOptions } from '#shared/events/deliver.ts';
import { logger } from '#shared/logger.ts';

/**
 * Ministry queue → subscribers' webhooks: one function per ministry, fed by that ministry's SQS
 * queue with `reportBatchItemFailures` (see `deliverQueueRecords` for what is retried).
 *
 * Environment:
 * - `MINISTRY` (required): `KH` or `TH`, the ministry whose queue this function drains; checked at load.
 * - `WEBHOOK_ALLOW_LIST` (optional): comma-separated hosts (`*.example.org` for subdomains) that
 *   alone may be called; absent or empty, any public host may.
 * - Those of `shared/config.ts`, parsed at load because the subscriptions are read through
 *   `shared/db`: `TABLE_NAME`, `JWT_ISSUER`, `JWKS_URL` (or `JWKS_FILE` locally), `CURSOR_SECRET_ARN`
 *   (or `CURSOR_SECRET` locally), optionally `AWS_REGION`, `DYNAMODB_ENDPOINT`, `RUNTIME`. The
 *   deliverer itself uses only the table; the others are required by the shared configuration.
 * - `RUNTIME=local` allows plain http and loopback receivers (`npm start`, tests); never set on AWS.
 *
 * IAM: read the table (Query on gsi1) and write it (dead-letter records: PutItem).
 */
const ministry = config.MINISTRY;
if (!ministry) throw new Error('Invalid configuration:\n  MINISTRY: expected KH or TH, the ministry whose queue this function drains');

const options: DeliveryOptions = {
  allowLocal: config.RUNTIME === 'local',
  allowHosts: parseAllowList(config.WEBHOOK_ALLOW_LIST),
  log: logger,
};

/** SQS → webhooks, with partial batch failures by message id. */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => deliverQueueRecords(ministry, event.Records, options))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
