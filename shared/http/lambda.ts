import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';
import { handle } from 'hono/aws-lambda';
import { logger } from '../logger.ts';
import { metrics } from '../metrics.ts';

/**
 * An API function's Lambda handler: the Hono app behind API Gateway (`hono/aws-lambda`), with the
 * Lambda context (request id, function name, cold start) in every log line and the invocation's
 * metrics flushed when it ends. Each `functions/<name>/handler.ts` is `lambdaHandler(app)`.
 */
export function lambdaHandler(app: Hono<AppEnv>) {
  return middy(handle(app))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
