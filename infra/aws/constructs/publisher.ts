import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_STREAM_FILTER } from '../../../shared/events/publish.ts';
import { bindBus, ClearwayFunction } from './function.ts';

export interface PublisherProps {
  /** The table whose stream carries the outbox inserts. */
  readonly table: ITable;
  /** Where the events are published. */
  readonly bus: IEventBus;
  /** Encrypts the on-failure queue (the event queues' key). */
  readonly queueKey: IKey;
  /** How long the function's log group keeps events. */
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly logEncryptionKey: IKey;
  /**
   * Retries of a failing batch (bisected on each error) before its records are given up on and
   * reported to the on-failure queue. Generous: a shard waits while its head fails, but an
   * EventBridge outage should not cost events. @default 100
   */
  readonly retryAttempts?: number;
  /** Records older than this are given up on and reported to the on-failure queue. @default Duration.hours(12) */
  readonly maxRecordAge?: Duration;
}

/**
 * The publishing half of the transactional outbox: the `publisher` function reads the table's
 * stream through an event source mapping that lets only outbox inserts through (the same filter
 * the local stream poller applies, `OUTBOX_STREAM_FILTER`), and puts them on the bus. Failed
 * records are reported one by one (partial batch responses), batches are bisected on error, and
 * what is still failing after the bounded retries is reported, by shard and sequence numbers, to
 * an encrypted on-failure queue. One batch per shard at a time keeps each item's events in order.
 *
 * The function may read the stream (the grant the event source adds) and put events on the bus;
 * it has no access to the table's items.
 */
export class Publisher extends Construct {
  public readonly function: ClearwayFunction;
  /** Where the event source mapping reports the stream records it gave up on. */
  public readonly deadLetterQueue: Queue;
  public readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: PublisherProps) {
    super(scope, id);

    this.function = new ClearwayFunction(this, 'Function', {
      name: 'publisher',
      invocation: 'stream',
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      // A batch of 100 records is at most 10 PutEvents requests.
      timeout: Duration.seconds(30),
      memorySize: 512,
      description: 'Clearway publisher: outbox inserts from the table stream to the event bus',
    });
    bindBus(this.function, props.bus);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue =
      'This queue is itself a dead-letter queue: the on-failure destination of the publisher’s stream event source mapping. An alarm on its depth ' +
      'escalates; a further queue would only move the problem.';
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: isDeadLetterQueue });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue });

    this.eventSource = new DynamoEventSource(props.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      filters: [FilterCriteria.filter(OUTBOX_STREAM_FILTER)],
      batchSize: 100,
      parallelizationFactor: 1,
      reportBatchItemFailures: true,
      bisectBatchOnError: true,
      retryAttempts: props.retryAttempts ?? 100,
      maxRecordAge: props.maxRecordAge ?? Duration.hours(12),
      onFailure: new SqsDlq(this.deadLetterQueue),
    });
    this.function.fn.addEventSource(this.eventSource);

    // SqsDlq grants sending to the encrypted queue, which includes these key action families.
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.function.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          `Granted by the on-failure queue's grantSendMessages (SqsDlq) on the queue's customer-managed key only (the statement's resource is that ` +
          `key's ARN): the event source mapping sends with the function's role.`,
      });
    }
  }
}
