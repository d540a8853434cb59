import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#shared/metrics.ts';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamRecords } from '#shared/events/publish.ts';
import { parseEnv, PublisherEnv } from '#shared/env.ts';
import { logger } from '#shared/logger.ts';

// Its own small section (shared/env.ts): the publisher needs none of the API's configuration.
const { EVENT_BUS_NAME: busName } = parseEnv(PublisherEnv);

const eventBridge = new EventBridgeClient({});

/** Stream → EventBridge: publishes outbox inserts and reports failed records by sequence number. */
export const handler = middy(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => publishStreamRecords(event.Records, { eventBridge, busName, log: logger }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
