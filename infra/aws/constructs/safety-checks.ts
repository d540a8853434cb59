import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SAFETY_ROUTE } from '../../../shared/events/routing.ts';
import type { Auth } from './auth.ts';
import type { Events } from './events.ts';
import { bindSecret, bindTable, bindUserPool, ClearwayFunction } from './function.ts';

/** How long one invocation of the checks (up to 10 events, each a recomputation of an area's households or one household) may take. */
export const SAFETY_CHECK_TIMEOUT = Duration.seconds(60);

/** Visibility timeout of the return-safety queue: 6 times the function's timeout, as AWS advises for SQS event sources. */
export const SAFETY_VISIBILITY_TIMEOUT = Duration.seconds(SAFETY_CHECK_TIMEOUT.toSeconds() * 6);

/** Receives of a message before the queue moves it to its dead-letter queue. */
export const SAFETY_MAX_RECEIVE_COUNT = 5;

export interface SafetyChecksProps {
  /** The bus the rule listens on, the key of its queues and the dead-letter queue of the rules' targets. */
  readonly events: Events;
  /** Households and hazard areas are read from it, households' safety (with its events) written to it. */
  readonly table: ITable;
  /** `shared/config.ts` needs the token settings at cold start. */
  readonly auth: Auth;
  /** `shared/config.ts` needs a cursor secret at cold start. */
  readonly cursorSecret: ISecret;
  /** How long the function's log group keeps events. */
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly logEncryptionKey: IKey;
  /** Concurrent invocations draining the queue (2 to 1000). @default 5 */
  readonly maxConcurrency?: number;
}

/**
 * The durable backstop of return safety: a rule on the bus built from `SAFETY_ROUTE` (hazard
 * areas recorded or changing status, households registered, safety changes) → an SQS queue (KMS
 * with the events key, TLS only, a dead-letter queue) → the `safety` function (10 messages a
 * batch, partial batch failures), which runs the same idempotent recomputation the request runs
 * after its commit (`functions/safety/check.ts`). A request that died after its commit is so
 * repaired once its event is consumed.
 */
export class SafetyChecks extends Construct {
  public readonly function: ClearwayFunction;
  /** Events routed to the checks. */
  public readonly queue: Queue;
  /** What the queue could not hand over after its receives. */
  public readonly deadLetterQueue: Queue;
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SafetyChecksProps) {
    super(scope, id);
    const { events } = props;
    const queue = (qid: string, extra: { visibilityTimeout?: Duration; deadLetterQueue?: Queue } = {}) =>
      new Queue(this, qid, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: events.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        ...(extra.visibilityTimeout ? { visibilityTimeout: extra.visibilityTimeout } : {}),
        ...(extra.deadLetterQueue ? { deadLetterQueue: { queue: extra.deadLetterQueue, maxReceiveCount: SAFETY_MAX_RECEIVE_COUNT } } : {}),
      });

    this.deadLetterQueue = queue('DeadLetters');
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the return-safety queue; an alarm on its depth escalates, and a further queue would only move the ' +
        'problem.',
    });
    this.queue = queue('Checks', { visibilityTimeout: SAFETY_VISIBILITY_TIMEOUT, deadLetterQueue: this.deadLetterQueue });

    this.rule = new Rule(this, 'Rule', {
      eventBus: events.bus,
      description: 'Events after which return safety is checked again',
      eventPattern: SAFETY_ROUTE.pattern,
    });
    this.rule.addTarget(new SqsQueue(this.queue, { deadLetterQueue: events.targetDeadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));

    const fn = new ClearwayFunction(this, 'Function', {
      name: 'safety',
      invocation: 'queue',
      externalEndpoints: 'nothing outside AWS',
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      timeout: SAFETY_CHECK_TIMEOUT,
      description: 'Clearway return-safety checks: households near changed hazard areas, and registered households, assessed again',
    });
    bindUserPool(fn, props.auth);
    bindTable(fn, props.table, 'readWrite');
    bindSecret(fn, 'CURSOR_SECRET_ARN', props.cursorSecret);
    fn.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: props.maxConcurrency ?? 5 }));
    for (const mapping of fn.fn.node.children.filter((c): c is EventSourceMapping => c instanceof EventSourceMapping)) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'SQS event source mappings take no on-failure destination: a message the safety function fails returns to the return-safety queue, whose redrive ' +
          'policy moves it to that queue’s dead-letter queue (alarmed) after its last receive.',
      });
    }
    this.function = fn;
  }
}
