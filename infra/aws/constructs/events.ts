import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Country } from '../../../shared/domain/common.ts';
import { EVENT_SOURCE } from '../../../shared/events/catalogue.ts';
import { MINISTRY_ROUTES } from '../../../shared/events/routing.ts';

export interface EventsProps {
  /** Ministries with AWS accounts of their own: their default bus also receives their events. @default none */
  readonly ministryAccounts?: Partial<Record<Country, string>>;
  /** How long the archive keeps events for replay. @default 365 days */
  readonly archiveRetention?: Duration;
  /**
   * Visibility timeout of the ministries' delivery queues: at least 6 times the timeout of the
   * function that consumes them (AWS's advice for SQS event sources, so that a message is not
   * handed out again while a retried invocation still holds it). @default Duration.seconds(90)
   */
  readonly deliveryVisibilityTimeout?: Duration;
}

export interface MinistryQueue {
  readonly ministry: Country;
  /** Events routed to this ministry, for its webhook deliverer. */
  readonly queue: Queue;
  /** What the queue could not hand over after its retries. */
  readonly deadLetterQueue: Queue;
}

/**
 * The `clearway` event bus with an archive, and one rule per ministry generated from the shared
 * routing (`shared/events/routing.ts`, which the local bus also applies) feeding that ministry's
 * queue. Queues are KMS-encrypted, TLS-only and have dead-letter queues.
 */
export class Events extends Construct {
  public readonly bus: EventBus;
  public readonly archive: Archive;
  public readonly key: Key;
  public readonly ministryQueues: readonly MinistryQueue[];
  /** Dead-letter queues of the rule targets (a delivery EventBridge gave up on). */
  public readonly targetDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: EventsProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Clearway event queues', removalPolicy: RemovalPolicy.RETAIN });
    // EventBridge and SQS must be able to use the key to put into the encrypted queues.
    this.key.grantEncryptDecrypt(new ServicePrincipal('events.amazonaws.com'));
    this.bus = new EventBus(this, 'Bus', { description: 'Clearway events for the ministries' });
    this.archive = this.bus.archive('Archive', {
      description: 'Every Clearway event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(365),
    });

    const queue = (qid: string, deadLetterQueue?: Queue, visibilityTimeout = Duration.seconds(90)) =>
      new Queue(this, qid, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: this.key,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
        visibilityTimeout,
        ...(deadLetterQueue ? { deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 } } : {}),
      });

    /**
     * A dead-letter queue needs no dead-letter queue of its own: the alarm on its depth is the
     * escalation. (cdk-nag's AwsSolutions-SQS3 recognises a DLQ only when another queue names it,
     * so the rules' target DLQ needs that acknowledgement too.)
     */
    const acknowledgeDeadLetterQueue = (q: Queue, what: string, ids: string[]) => {
      for (const id of ids) {
        Validations.of(q).acknowledge({
          id,
          reason: `This queue is itself the dead-letter queue of ${what}; an alarm on its depth escalates, and a further queue would only move the problem.`,
        });
      }
    };
    this.targetDeadLetterQueue = queue('TargetDeadLetters');
    acknowledgeDeadLetterQueue(this.targetDeadLetterQueue, 'the ministry rules’ targets', ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']);

    this.ministryQueues = MINISTRY_ROUTES.map((route) => {
      const name = route.ministry.charAt(0) + route.ministry.slice(1).toLowerCase();
      const deadLetterQueue = queue(`${name}DeadLetters`);
      acknowledgeDeadLetterQueue(deadLetterQueue, `the ${route.ministry} ministry's delivery queue`, ['Serverless-SQSRedrivePolicy']);
      const ministryQueue = queue(`${name}Deliveries`, deadLetterQueue, props.deliveryVisibilityTimeout);
      const rule = new Rule(this, `${name}Rule`, { eventBus: this.bus, description: `Events for the ${route.ministry} ministry`, eventPattern: route.pattern });
      rule.addTarget(new SqsQueue(ministryQueue, { deadLetterQueue: this.targetDeadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));
      const account = props.ministryAccounts?.[route.ministry];
      if (account) {
        const stack = Stack.of(this);
        const target = EventBus.fromEventBusArn(this, `${name}AccountBus`, `arn:${stack.partition}:events:${stack.region}:${account}:event-bus/default`);
        rule.addTarget(new EventBusTarget(target, { deadLetterQueue: this.targetDeadLetterQueue }));
        Validations.of(rule).acknowledge({
          id: 'NIST.800.53.R5-IAMNoInlinePolicy',
          reason:
            `The role EventBridge assumes to put ${route.ministry} events on the ministry's own bus (account ${account}) holds one generated statement, ` +
            `events:PutEvents on that bus only.`,
        });
      }
      return { ministry: route.ministry, queue: ministryQueue, deadLetterQueue };
    });
  }
}
