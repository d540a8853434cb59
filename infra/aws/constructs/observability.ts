import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../../../shared/metric-names.ts';

/** A function to watch for errors and throttles. */
export interface MonitoredFunction {
  readonly name: string;
  readonly fn: IFunction;
}

/** A dead-letter queue: any message in it is an alarm. */
export interface MonitoredQueue {
  readonly name: string;
  readonly queue: IQueue;
}

/** A function fed by a DynamoDB stream (the publisher): it must keep up with the stream. */
export interface StreamConsumer {
  readonly name: string;
  readonly fn: IFunction;
  /** Oldest unprocessed record age that raises the alarm. @default Duration.minutes(5) */
  readonly maxIteratorAge?: Duration;
}

export interface ObservabilityProps {
  readonly functions: readonly MonitoredFunction[];
  /** The API stage (its `5XXError`, `4XXError`, `Count` and `Latency` metrics). */
  readonly stage: Stage;
  readonly table: ITable;
  /** Name of the web ACL (the `WebACL` dimension of AWS/WAFV2 metrics). */
  readonly webAclName: string;
  /** @default [] */
  readonly deadLetterQueues?: readonly MonitoredQueue[];
  /** @default [] */
  readonly streamConsumers?: readonly StreamConsumer[];
  /** Subscribed by e-mail to the alarm topic. @default - no subscription */
  readonly alarmEmail?: string;
  /** Share of 5xx answers over 5 minutes (once at least 10 requests came) that raises the alarm. @default 0.05 */
  readonly api5xxRateThreshold?: number;
  /** Requests the WAF blocks within 5 minutes that raise the alarm. @default 100 */
  readonly wafBlockedThreshold?: number;
  /** Webhook deliveries dead-lettered within 5 minutes that raise an alarm. @default 5 */
  readonly webhookFailureThreshold?: number;
  /** Import rows rejected within 5 minutes that raise an alarm. @default 1000 */
  readonly importRejectedThreshold?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms and the dashboard. Every alarm notifies the alarm topic (KMS-encrypted, TLS only) when
 * it fires and when it clears: the API's 5xx rate, each function's errors and throttles, each
 * dead-letter queue's depth, each stream consumer's iterator age, and a burst of WAF blocks.
 */
export class Observability extends Construct {
  public readonly topicKey: Key;
  public readonly topic: Topic;
  public readonly dashboard: Dashboard;
  /** Every alarm, by a readable key (`api-5xx-rate`, `function-errors:tasks`...). */
  public readonly alarms: ReadonlyMap<string, Alarm>;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.topicKey = new Key(this, 'TopicKey', {
      description: `Encrypts the alarm topic of ${stack.stackName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic on the alarms' behalf.
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Clearway alarms (${stack.stackName})`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );
    if (props.alarmEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          `The e-mail subscription of the alarm topic (${subscription.node.id}) has no dead-letter queue: a notification that cannot be mailed ` +
          `is a bounce, and every alarm stays visible in CloudWatch and on the dashboard; a queue of undelivered alarm mails would have no reader.`,
      });
    }

    const alarms = new Map<string, Alarm>();
    const action = new SnsAction(this.topic);
    const alarm = (key: string, id: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      alarms.set(key, created);
      return created;
    };

    // API: the 5xx share, ignored below 10 requests so one failure at night does not page.
    const requests = props.stage.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = props.stage.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const threshold5xx = props.api5xxRateThreshold ?? 0.05;
    alarm(
      'api-5xx-rate',
      'Api5xxRate',
      new MathExpression({
        expression: 'IF(requests >= 10, errors / requests, 0)',
        usingMetrics: { requests, errors: serverErrors },
        period: FIVE_MINUTES,
        label: '5xx share',
      }),
      threshold5xx,
      `More than ${threshold5xx * 100}% of API requests answered 5xx over 5 minutes (stage ${props.stage.stageName}).`,
    );

    for (const { name, fn } of props.functions) {
      const id = idOf(name);
      alarm(
        `function-errors:${name}`,
        `${id}Errors`,
        fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `The ${name} function failed (crash, timeout or out of memory) within 5 minutes.`,
      );
      alarm(
        `function-throttles:${name}`,
        `${id}Throttles`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        1,
        `Invocations of the ${name} function were throttled within 5 minutes (concurrency exhausted).`,
      );
    }

    for (const { name, queue } of props.deadLetterQueues ?? []) {
      alarm(
        `dlq-depth:${name}`,
        `${idOf(name)}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        1,
        `Messages are waiting in the ${name} dead-letter queue.`,
      );
    }

    for (const { name, fn, maxIteratorAge } of props.streamConsumers ?? []) {
      const age = maxIteratorAge ?? Duration.minutes(5);
      alarm(
        `iterator-age:${name}`,
        `${idOf(name)}IteratorAge`,
        fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
        age.toMilliseconds(),
        `The ${name} function is ${age.toHumanString()} or more behind the table's stream.`,
      );
    }

    const waf = (metricName: 'AllowedRequests' | 'BlockedRequests') =>
      new Metric({
        namespace: 'AWS/WAFV2',
        metricName,
        dimensionsMap: { WebACL: props.webAclName, Region: stack.region, Rule: 'ALL' },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      });
    const wafThreshold = props.wafBlockedThreshold ?? 100;
    alarm(
      'waf-blocked',
      'WafBlocked',
      waf('BlockedRequests'),
      wafThreshold,
      `The WAF blocked ${wafThreshold} or more requests within 5 minutes: an attack, or a rule blocking real users.`,
    );

    // Clearway's own metrics (shared/metrics.ts: EMF lines in the functions' logs, dimension `service`).
    const app = (metricName: MetricName) =>
      new Metric({ namespace: 'Clearway', metricName, dimensionsMap: { service: 'clearway' }, period: FIVE_MINUTES, statistic: 'Sum' });
    const webhookThreshold = props.webhookFailureThreshold ?? 5;
    alarm(
      'webhook-failures',
      'WebhookFailures',
      app(MetricName.WebhookFailures),
      webhookThreshold,
      `${webhookThreshold} or more events could not be delivered to a ministry's webhook ` +
        `within 5 minutes (dead-lettered; GET /v1/subscriptions/{id}/failures lists them).`,
    );
    alarm(
      'import-rows-rejected',
      'ImportRowsRejected',
      app(MetricName.ImportRowsRejected),
      props.importRejectedThreshold ?? 1000,
      'An import rejected many rows within 5 minutes: a file in the wrong shape, or a check refusing good data.',
    );

    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(24) });
    const fns = props.functions;
    const graph = (title: string, left: IMetric[], width = 8): GraphWidget => new GraphWidget({ title, left, width, height: 6 });
    const perFunction = (label: string, metric: (fn: IFunction) => IMetric): IMetric[] => fns.map(({ name, fn }) => withLabel(metric(fn), `${name} ${label}`));
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# Clearway ${props.stage.stageName}\nAPI, functions, table and firewall. Alarms notify the topic ${this.topic.node.path}.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('API requests', [requests]),
        graph(
          'API latency (ms)',
          (['p50', 'p90', 'p99'] as const).map((statistic) => props.stage.metricLatency({ period: FIVE_MINUTES, statistic, label: `latency ${statistic}` })),
        ),
        graph('API 4xx and 5xx', [props.stage.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }), withLabel(serverErrors, '5xx')]),
      ],
      [
        graph(
          'Function duration p90 (ms)',
          perFunction('p90', (fn) => fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p90' })),
        ),
        graph(
          'Function errors',
          perFunction('errors', (fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
        ),
        graph(
          'Function throttles',
          perFunction('throttles', (fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
        ),
      ],
      [
        graph(
          'Table consumed capacity',
          [
            props.table.metricConsumedReadCapacityUnits({ period: FIVE_MINUTES, statistic: 'Sum', label: 'read units' }),
            props.table.metricConsumedWriteCapacityUnits({ period: FIVE_MINUTES, statistic: 'Sum', label: 'write units' }),
          ],
          12,
        ),
        graph(
          'Table throttled events',
          [
            props.table.metric('ReadThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum', label: 'read throttles' }),
            props.table.metric('WriteThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum', label: 'write throttles' }),
          ],
          12,
        ),
      ],
      [
        graph('WAF allowed and blocked', [withLabel(waf('AllowedRequests'), 'allowed'), withLabel(waf('BlockedRequests'), 'blocked')], 12),
        new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms.values()], width: 12, height: 6 }),
      ],
    ];
    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}

const idOf = (name: string) => name.replace(/(^|[-_])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());

function withLabel(metric: IMetric, label: string): IMetric {
  return metric instanceof Metric ? metric.with({ label }) : metric;
}
