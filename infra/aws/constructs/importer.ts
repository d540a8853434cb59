import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Auth } from './auth.ts';
import { bindSecret, bindTable, bindUserPool, ClearwayFunction } from './function.ts';
import { UPLOAD_PREFIX, type Imports } from './imports.ts';
import { DOCUMENT_HASH_SECRET_ENV, type Secrets } from './secrets.ts';

/** The importer's V8 semi-space size in MB (`--max-semi-space-size`), mirrored by the household-import bench. */
export const IMPORTER_SEMI_SPACE_MB = 16;

export interface ImporterProps {
  /** The bucket the CSV files are uploaded to. */
  readonly imports: Imports;
  /** Households, import jobs and their statistics are written to it. */
  readonly table: ITable;
  /** `shared/config.ts` needs the token settings at cold start. */
  readonly auth: Auth;
  /** The cursor secret (required by `shared/config.ts`) and the document-hashing secret. */
  readonly secrets: Secrets;
  /** How long the function's log group keeps events. */
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly logEncryptionKey: IKey;
}

/**
 * The `importer` function, run by the import bucket for every object created under `uploads/`
 * (S3 event notification, asynchronous): it streams the CSV into households (15 minutes, 1 GB).
 * An event that still fails after Lambda's two retries goes to an encrypted dead-letter queue.
 *
 * The notification is declared on the bucket itself rather than through CDK's
 * `addEventNotification`, which would add a custom-resource Lambda with a managed policy and
 * `s3:PutBucketNotification` on every bucket. That needs the function to reference nothing of
 * the bucket (the bucket references the function): the function reads the bucket's name from the
 * event, not from `IMPORT_BUCKET_NAME`, and its object permissions live in a policy of their own
 * that the function does not wait for.
 */
export class Importer extends Construct {
  public readonly function: ClearwayFunction;
  /** Upload events the importer failed on after Lambda's retries. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ImporterProps) {
    super(scope, id);
    const { imports } = props;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: imports.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDeadLetterQueue =
      'This queue is itself a dead-letter queue: of the importer function’s asynchronous invocations by the import bucket. An alarm on its depth ' +
      'escalates; a further queue would only move the problem.';
    // (AwsSolutions-SQS3 already recognises it as the function's dead-letter queue.)
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: isDeadLetterQueue });

    const fn = new ClearwayFunction(this, 'Function', {
      name: 'importer',
      invocation: 'async',
      deadLetterQueue: this.deadLetterQueue,
      externalEndpoints: 'nothing outside AWS',
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      description: 'Clearway importer: household CSV uploads into the table',
    });
    this.function = fn;
    // V8 lets the young generation grow to 3 × 32 MB while a chunk's rows and items outlive a few
    // scavenges; 16 MB semi-spaces keep the import's resident set ~60 MB lower, memory that does
    // not grow with the file (the household-import bench runs its importing process the same way).
    fn.addEnvironment('NODE_OPTIONS', `--enable-source-maps --max-semi-space-size=${IMPORTER_SEMI_SPACE_MB}`);
    bindUserPool(fn, props.auth);
    bindTable(fn, props.table, 'readWrite');
    bindSecret(fn, 'CURSOR_SECRET_ARN', props.secrets.cursorSecret);
    bindSecret(fn, DOCUMENT_HASH_SECRET_ENV, props.secrets.documentHashSecret);
    // The key references no bucket. Decrypt reads the SSE-KMS uploads; GenerateDataKey (with
    // Decrypt) lets Lambda, acting with this role, send failed events to the encrypted
    // dead-letter queue, for which the function's deadLetterQueue grants only sqs:SendMessage.
    imports.key.grant(fn.role, 'kms:Decrypt', 'kms:GenerateDataKey');

    const objects = new Policy(this, 'UploadsPolicy', {
      roles: [fn.role],
      // The versioned actions: the importer reads the upload's recorded version and deletes it for good when the job ends.
      statements: [
        new PolicyStatement({
          actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [imports.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)],
        }),
      ],
    });
    Validations.of(objects).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${imports.bucketLogicalId}.Arn>/${UPLOAD_PREFIX}*]`,
      reason:
        'The importer reads uploads/<import id>.csv by version and deletes that version when the job ends, whatever the import id: s3:GetObject(Version) ' +
        'and s3:DeleteObject(Version) on the uploads/ prefix of the import bucket, and nothing else of it.',
    });
    Validations.of(objects).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        `Kept out of the importer role's default policy on purpose: the bucket's notification references the function, so the function must not ` +
        `depend on a policy that references the bucket (a dependency cycle). It holds one statement for this role alone, which a customer-managed ` +
        `policy would hold with the same lifecycle.`,
    });

    // S3 may invoke the function for objects of this account; the notification below names it.
    const permission = new CfnPermission(this, 'InvokedByUploads', {
      action: 'lambda:InvokeFunction',
      functionName: fn.fn.functionArn,
      principal: new ServicePrincipal('s3.amazonaws.com').service,
      sourceAccount: Stack.of(this).account,
    });
    const bucket = imports.bucket.node.defaultChild as CfnBucket;
    bucket.notificationConfiguration = {
      lambdaConfigurations: [
        { event: 's3:ObjectCreated:*', function: fn.fn.functionArn, filter: { s3Key: { rules: [{ name: 'prefix', value: UPLOAD_PREFIX }] } } },
      ],
    };
    // S3 checks that it may invoke the function when the configuration is set.
    bucket.node.addDependency(permission);
  }
}
