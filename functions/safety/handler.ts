import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#shared/metrics.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { checkSafetyRecords } from './check.ts';

/**
 * Return-safety queue → the recomputation of return safety after the events of `SAFETY_ROUTE`
 * (hazard areas recorded or changing status, households registered, safety changes), fed by the
 * queue with `reportBatchItemFailures` (see `checkSafetyRecords` for what is retried).
 *
 * Environment: those of `shared/config.ts`, parsed at load because households and hazard areas
 * are read and written through `shared/db`: `TABLE_NAME`, `JWT_ISSUER`, `JWKS_URL` (or
 * `JWKS_FILE` locally), `CURSOR_SECRET_ARN` (or `CURSOR_SECRET` locally), optionally
 * `AWS_REGION`, `DYNAMODB_ENDPOINT`, `RUNTIME`. The checks use only the table; the others are
 * required by the shared configuration.
 *
 * IAM: read and write the table (Query, GetItem, BatchGetItem, TransactWriteItems).
 */
export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => checkSafetyRecords(event.Records, logger))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
