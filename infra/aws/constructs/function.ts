import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Alias, Architecture, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundlingOptions, FUNCTION_ENTRY } from '../bundling.ts';
import type { FunctionConcurrency } from '../config.ts';
import type { Auth } from './auth.ts';

/**
 * Powertools settings every function gets. The code uses Logger (`shared/logger.ts`); the
 * metrics namespace is set for when it adds Metrics. It does not use Tracer: X-Ray tracing is
 * on at the function level (`Tracing.ACTIVE`), and should Tracer be added, it must not record
 * response bodies, which carry personal data.
 */
export const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'clearway',
  POWERTOOLS_METRICS_NAMESPACE: 'Clearway',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
} as const;

/** The repository root: esbuild's project root and where `functions/` and the lock file live. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Who invokes a function, which decides where a failed invocation ends up:
 * - `api`: API Gateway, synchronously; the failure is the caller's answer.
 * - `stream`: the event source mapping on the table's stream, synchronously; the mapping retries,
 *   bisects and finally sends the failed records' coordinates to its on-failure queue.
 * - `queue`: an SQS event source mapping, synchronously; a failed message returns to its queue,
 *   whose redrive policy moves it to a dead-letter queue after its last receive.
 * - `async`: an S3 event notification, asynchronously; Lambda retries a failed event twice, then
 *   puts it on the function's `deadLetterQueue` (required).
 */
export type Invocation = 'api' | 'stream' | 'queue' | 'async';

export interface ClearwayFunctionProps {
  /** The function's name in descriptions, alarms and acknowledgements; also its folder unless `source` is set. */
  readonly name: string;
  /** Folder under `functions/` whose `handler.ts` exports `handler`. @default name */
  readonly source?: string;
  /** @default 'api' */
  readonly invocation?: Invocation;
  /** Where asynchronous events that failed their retries go; required for `async` invocation, refused otherwise. @default none */
  readonly deadLetterQueue?: IQueue;
  /**
   * Endpoints outside AWS the function calls, named in its justification for running outside a
   * VPC. @default "Cognito's public JWKS"
   */
  readonly externalEndpoints?: string;
  /** How long the function's log group keeps events. */
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group (see `LogKey`). */
  readonly logEncryptionKey: IKey;
  /**
   * Reserved concurrency caps the function and guarantees it that many executions; provisioned
   * concurrency keeps environments initialised behind a `live` alias, which then becomes
   * {@link ClearwayFunction.target}.
   * @default {} - the account's unreserved pool, no provisioned concurrency
   */
  readonly concurrency?: FunctionConcurrency;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default - no description */
  readonly description?: string;
}

/** Why a function invoked this way needs no dead-letter queue of its own (which serves asynchronous invocations only). */
const NO_DLQ_REASON: Record<Exclude<Invocation, 'async'>, (name: string) => string> = {
  api: (name) =>
    `The ${name} function is invoked synchronously by API Gateway (RequestResponse): a failure returns to the caller, so there is no asynchronous ` +
    `event to dead-letter.`,
  stream: (name) =>
    `The ${name} function is invoked synchronously by its event source mapping on the table's stream: failed records are retried, bisected and ` +
    `finally reported to the mapping's on-failure queue (OnFailure destination), so there is no asynchronous event to dead-letter.`,
  queue: (name) =>
    `The ${name} function is invoked synchronously by its SQS event source mapping: a message it fails returns to its queue, and the queue's ` +
    `redrive policy moves it to the queue's dead-letter queue after the last receive, so there is no asynchronous event to dead-letter.`,
};

/** Why a function invoked this way reserves no concurrency unless configured to. */
const NO_RESERVED_CONCURRENCY_REASON: Record<Invocation, (name: string) => string> = {
  api: (name) =>
    `No reserved concurrency for the ${name} function by default: API Gateway stage throttling and the WAF rate rule bound the load, and reserving ` +
    `capacity fails deployment in accounts still at a low concurrency quota. Set it per environment with -c functionConcurrency='{"${name}":{"reserved":N}}' ` +
    `(README, Deploying to AWS).`,
  stream: (name) =>
    `No reserved concurrency for the ${name} function: its stream event source runs one invocation per shard of the table's stream (parallelization ` +
    `factor 1), which bounds it, and reserving capacity fails deployment in accounts still at a low concurrency quota.`,
  queue: (name) =>
    `No reserved concurrency for the ${name} function: the maximum concurrency of its SQS event source caps it, without the deployment failures ` +
    `reserved capacity causes in accounts still at a low concurrency quota.`,
  async: (name) =>
    `No reserved concurrency for the ${name} function: it runs once per uploaded CSV file, and an upload needs a presigned URL that only POST ` +
    `/v1/household-imports hands out, behind API Gateway throttling and the WAF rate rule; reserving capacity fails deployment in accounts still ` +
    `at a low concurrency quota.`,
};

/**
 * The one place a Lambda function is defined: Node 24 on arm64, ESM bundled by the local esbuild
 * with the shared options (`infra/aws/bundling.ts`), active X-Ray tracing, Powertools settings,
 * and its own role and KMS-encrypted log group. The role starts with no managed policy: it may
 * write to this log group only, and everything else arrives through the `bind*` helpers below,
 * which grant and configure together.
 */
export class ClearwayFunction extends Construct {
  public readonly name: string;
  public readonly fn: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  /** What callers invoke: the `live` alias when provisioned concurrency is set, else the function. */
  public readonly target: IFunction;

  constructor(scope: Construct, id: string, props: ClearwayFunctionProps) {
    super(scope, id);
    this.name = props.name;
    const concurrency = props.concurrency ?? {};
    const invocation = props.invocation ?? 'api';
    if ((invocation === 'async') !== Boolean(props.deadLetterQueue)) {
      throw new Error(`The ${props.name} function: a deadLetterQueue is required for asynchronous invocation and meaningless otherwise.`);
    }

    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logEncryptionKey });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.name} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (logs:* on every log group): this group only.
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, FUNCTION_ENTRY(props.source ?? props.name)),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      ...(props.description ? { description: props.description } : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      ...(concurrency.reserved !== undefined ? { reservedConcurrentExecutions: concurrency.reserved } : {}),
      environment: {
        RUNTIME: 'aws',
        NODE_OPTIONS: '--enable-source-maps',
        ...POWERTOOLS_ENVIRONMENT,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: bundlingOptions.target,
        minify: bundlingOptions.minify,
        sourceMap: bundlingOptions.sourceMap,
        externalModules: [...bundlingOptions.externalModules],
        mainFields: [...bundlingOptions.mainFields],
        banner: bundlingOptions.banner,
        esbuildArgs: { ...bundlingOptions.esbuildArgs },
      },
    });

    this.target =
      concurrency.provisioned === undefined
        ? this.fn
        : new Alias(this, 'Live', { aliasName: 'live', version: this.fn.currentVersion, provisionedConcurrentExecutions: concurrency.provisioned });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        invocation === 'stream'
          ? "Added by tracing: ACTIVE (X-Ray xray:PutTraceSegments and xray:PutTelemetryRecords) and by the stream event source's read grant (dynamodb:ListStreams); " +
            'none of these actions supports resource-level permissions. test/infra asserts that no other statement of this role has Resource "*".'
          : 'Added by tracing: ACTIVE. X-Ray xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; test/infra ' +
            'asserts that no other statement of this role has Resource "*".',
    });
    Validations.of(this.role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        `The role's one policy is generated by the grant*/bind* helpers for the ${props.name} function alone and attached to this role only; a ` +
        `customer-managed policy attached to this single role would hold the same statements with the same lifecycle. test/infra checks its statements ` +
        `(no service-wide or table wildcard actions, Resource "*" only for X-Ray and a stream consumer's dynamodb:ListStreams).`,
    });
    if (invocation !== 'async') {
      const noDlq = NO_DLQ_REASON[invocation](props.name);
      Validations.of(this.fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: noDlq });
      Validations.of(this.fn).acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: noDlq });
    }
    Validations.of(this.fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        `The ${props.name} function uses no VPC resource: it reaches only AWS service endpoints (as far as its grants allow) over TLS with IAM-signed ` +
        `requests, and ${props.externalEndpoints ?? "Cognito's public JWKS"}. A VPC would ` +
        `add NAT or endpoint costs and cold-start latency and protect nothing.`,
    });
    if (concurrency.reserved === undefined) {
      Validations.of(this.fn).acknowledge({ id: 'NIST.800.53.R5-LambdaConcurrency', reason: NO_RESERVED_CONCURRENCY_REASON[invocation](props.name) });
    }
  }

  /** Sets an environment variable on the function. */
  addEnvironment(key: string, value: string): void {
    this.fn.addEnvironment(key, value);
  }
}

/** How much of the table a function may touch. */
export type TableAccess = 'readWrite' | 'read' | 'none';

/**
 * Tells the function which table to use (`TABLE_NAME`) and grants it the matching access,
 * including use of the table's KMS key. `none` exists because `shared/config.ts` requires
 * `TABLE_NAME` at cold start even in functions that never touch the table.
 *
 * The wildcards these grants produce (`<table>/index/*` and the `kms:GenerateDataKey*` /
 * `kms:ReEncrypt*` action families) are acknowledged here, on this function's role only.
 *
 * @param access @default 'readWrite'
 */
export function bindTable(fn: ClearwayFunction, table: ITable, access: TableAccess = 'readWrite'): void {
  fn.addEnvironment('TABLE_NAME', table.tableName);
  if (access === 'none') return;
  if (access === 'readWrite') table.grantReadWriteData(fn.role);
  else table.grantReadData(fn.role);

  const tableLogicalId = Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason:
      `Granted by table.grant${access === 'readWrite' ? 'ReadWrite' : 'Read'}Data: the function queries the generic GSIs (gsi1..gsiN) of table ` +
      `${tableLogicalId}, and only that table's indexes.`,
  });
  const kmsActions = access === 'readWrite' ? ['kms:ReEncrypt*', 'kms:GenerateDataKey*'] : [];
  if (table.encryptionKey) {
    for (const action of kmsActions) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          `Granted by table.grantReadWriteData on the customer-managed key of table ` +
          `${tableLogicalId} (that statement's resource is this key's ARN alone).`,
      });
    }
  }
}

/** Whether the function may read the secret or is only told where it is. */
export type SecretAccess = 'read' | 'none';

/**
 * Puts the secret's ARN in `envName` and grants `secretsmanager:GetSecretValue` /
 * `DescribeSecret` on that secret alone. The function fetches the value lazily at run time
 * (`shared/secrets.ts`), so the value never appears in the template or the environment.
 *
 * @param access @default 'read'
 */
export function bindSecret(fn: ClearwayFunction, envName: string, secret: ISecret, access: SecretAccess = 'read'): void {
  fn.addEnvironment(envName, secret.secretArn);
  if (access === 'read') secret.grantRead(fn.role);
}

/**
 * Points the function's token verification (`shared/http/auth.ts`) at the Cognito user pool:
 * issuer, audience (the app client) and the pool's JWKS. Needs no IAM: the JWKS is public.
 */
export function bindUserPool(fn: ClearwayFunction, auth: Auth): void {
  fn.addEnvironment('JWT_ISSUER', auth.issuer);
  fn.addEnvironment('JWT_AUDIENCE', auth.client.userPoolClientId);
  fn.addEnvironment('JWKS_URL', auth.jwksUrl);
}

/** Environment variable naming the bus the publisher puts events on (`functions/publisher/handler.ts`). */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';

/** Tells the function which bus to publish to (`EVENT_BUS_NAME`) and grants `events:PutEvents` on that bus alone. */
export function bindBus(fn: ClearwayFunction, bus: IEventBus): void {
  fn.addEnvironment(EVENT_BUS_ENV, bus.eventBusName);
  bus.grantPutEventsTo(fn.role);
}
