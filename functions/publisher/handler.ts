import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamRecords } from '#shared/events/publish.ts';
import { logger } from '#shared/http/logger.ts';

// Read here rather than in shared/config.ts: only this function publishes, and it needs none
// of the API's configuration. Checked at load so that a missing variable fails the cold start.
const busName = process.env['EVENT_BUS_NAME'];
if (!busName) throw new Error('Invalid configuration:\n  EVENT_BUS_NAME: expected the name of the EventBridge bus to publish to');

const eventBridge = new EventBridgeClient({});

/** Stream → EventBridge: publishes outbox inserts and reports failed records by sequence number. */
export const handler = middy(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
    publishStreamRecords(event.Records, { eventBridge, busName, log: logger }),
);
