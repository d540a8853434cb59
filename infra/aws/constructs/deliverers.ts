import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Country } from '../../../shared/domain/common.ts';
import type { Auth } from './auth.ts';
import type { MinistryQueue } from './events.ts';
import { bindSecret, bindTable, bindUserPool, ClearwayFunction } from './function.ts';

/** How long one deliverer invocation (up to 10 events, each to every subscriber's webhook) may take. */
export const DELIVERER_TIMEOUT = Duration.seconds(60);

/** Visibility timeout of a ministry's delivery queue: 6 times the deliverer's timeout, as AWS advises for SQS event sources. */
export const DELIVERY_VISIBILITY_TIMEOUT = Duration.seconds(DELIVERER_TIMEOUT.toSeconds() * 6);

/** Environment variable naming the ministry whose queue a deliverer consumes. */
export const MINISTRY_ENV = 'MINISTRY';

/** Environment variable with the hostnames webhook URLs may point at (comma-separated; absent: any public host). */
export const WEBHOOK_ALLOW_LIST_ENV = 'WEBHOOK_ALLOW_LIST';

/** Environment variable with the ports webhooks may be called on (comma-separated; absent: 443). */
export const WEBHOOK_PORTS_ENV = 'WEBHOOK_PORTS';

export interface DeliverersProps {
  /** The ministries' delivery queues (`Events.ministryQueues`). */
  readonly ministryQueues: readonly MinistryQueue[];
  /** Subscriptions are read from it, dead letters and delivery state written to it. */
  readonly table: ITable;
  /** `shared/config.ts` needs the token settings at cold start. */
  readonly auth: Auth;
  /** `shared/config.ts` needs a cursor secret; the deliverer pages through subscriptions. */
  readonly cursorSecret: ISecret;
  /** `webhookAllowList` context: hostnames subscription URLs may point at. @default [] - no allow-list */
  readonly webhookAllowList?: readonly string[];
  /** `webhookPorts` context: ports webhooks may be called on. @default - 443 only */
  readonly webhookPorts?: readonly number[];
  /** How long the functions' log groups keep events. */
  readonly logRetention: RetentionDays;
  /** Encrypts the functions' log groups. */
  readonly logEncryptionKey: IKey;
  /** Concurrent invocations per ministry's queue (2 to 1000). @default 5 */
  readonly maxConcurrency?: number;
}

/**
 * One `deliverer` function per ministry, fed by that ministry's queue (10 messages a batch,
 * partial batch failures): it posts each event to the ministry's webhook subscriptions. Outside
 * any VPC, as it calls webhooks on the public internet.
 */
export class Deliverers extends Construct {
  public readonly functions: ReadonlyMap<Country, ClearwayFunction>;

  constructor(scope: Construct, id: string, props: DeliverersProps) {
    super(scope, id);
    const allowList = props.webhookAllowList ?? [];
    const functions = new Map<Country, ClearwayFunction>();

    for (const { ministry, queue } of props.ministryQueues) {
      const suffix = ministry.charAt(0) + ministry.slice(1).toLowerCase();
      const fn = new ClearwayFunction(this, suffix, {
        name: `deliverer-${ministry.toLowerCase()}`,
        source: 'deliverer',
        invocation: 'queue',
        externalEndpoints:
          `the ${ministry} ministry's subscribed webhooks on the public internet (HTTPS), ` +
          `which from inside a VPC it could reach only through a NAT gateway`,
        logRetention: props.logRetention,
        logEncryptionKey: props.logEncryptionKey,
        timeout: DELIVERER_TIMEOUT,
        description: `Clearway deliverer: ${ministry} ministry events to its webhook subscriptions`,
      });
      fn.addEnvironment(MINISTRY_ENV, ministry);
      if (allowList.length > 0) fn.addEnvironment(WEBHOOK_ALLOW_LIST_ENV, allowList.join(','));
      if (props.webhookPorts) fn.addEnvironment(WEBHOOK_PORTS_ENV, props.webhookPorts.join(','));
      bindUserPool(fn, props.auth);
      bindTable(fn, props.table, 'readWrite');
      bindSecret(fn, 'CURSOR_SECRET_ARN', props.cursorSecret);

      fn.fn.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: props.maxConcurrency ?? 5 }));
      for (const mapping of fn.fn.node.children.filter((c): c is EventSourceMapping => c instanceof EventSourceMapping)) {
        Validations.of(mapping).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            `SQS event source mappings take no on-failure destination: a message the ${ministry} deliverer fails returns to the ${ministry} delivery ` +
            `queue, whose redrive policy moves it to that queue's dead-letter queue (alarmed) after its last receive.`,
        });
      }
      functions.set(ministry, fn);
    }
    this.functions = functions;
  }
}
