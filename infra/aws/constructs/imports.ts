import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ClearwayFunction } from './function.ts';

/** Key prefix of uploaded CSV files (`uploads/<jobId>.csv`, see `functions/households/imports.ts`). */
export const UPLOAD_PREFIX = 'uploads/';

/** Environment variable naming the import bucket, for presigning upload URLs. */
export const IMPORT_BUCKET_ENV = 'IMPORT_BUCKET_NAME';

export interface ImportsProps {
  /**
   * How long an uploaded CSV file is kept at most: the importer deletes it when its job ends, so
   * this only catches files whose import never ran or never ended (its retries and dead-letter
   * queue included). They hold personal data and are only a staging step. @default Duration.days(2)
   */
  readonly uploadExpiry?: Duration;
  /** How long S3 server access logs are kept (the stack's log retention). */
  readonly accessLogExpiry: Duration;
  /** The web console's origin, allowed to `PUT` to presigned upload URLs. @default - no CORS */
  readonly consoleOrigin?: string;
}

/**
 * Where household CSV files are uploaded (`POST /v1/household-imports` hands out presigned
 * `PUT` URLs that sign the file's `Content-Length`): encrypted with a customer-managed key,
 * private, TLS only, versioned (the importer reads the version it was told of, and deletes it
 * when the job ends), and emptied by lifecycle rules as a backstop: uploads expire after two days,
 * overwritten or deleted versions a day later.
 * Access to it is logged to a second bucket. The households function may only put uploads
 * ({@link grantUploads}); the importer reads them ({@link Importer}).
 */
export class Imports extends Construct {
  public readonly key: Key;
  public readonly bucket: Bucket;
  /** Server access logs of {@link bucket}. */
  public readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: ImportsProps) {
    super(scope, id);

    const secure = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...secure,
      // S3 server access logging can only deliver to a bucket encrypted with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ expiration: props.accessLogExpiry, noncurrentVersionExpiration: Duration.days(1) }],
    });

    this.key = new Key(this, 'Key', {
      description: 'Encrypts uploaded household CSV files',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'Bucket', {
      ...secure,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      // One data key per bucket instead of a KMS request per object.
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'imports/',
      lifecycleRules: [
        {
          expiration: props.uploadExpiry ?? Duration.days(2),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      ...(props.consoleOrigin
        ? {
            cors: [
              {
                allowedOrigins: [props.consoleOrigin],
                allowedMethods: [HttpMethods.PUT],
                allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
                maxAge: 3600,
              },
            ],
          }
        : {}),
    });

    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        `Bucket ${this.accessLogsBucket.node.path} receives the server access logs of the import bucket, and S3 server access logging delivers ` +
        `only to buckets with SSE-S3 default encryption, not SSE-KMS. The logs hold request metadata, not file contents.`,
    });
    const noReplication =
      'Single-region by design: the import bucket only stages CSV uploads until their import into the table (which AWS Backup protects) ends, ' +
      'two days at most, and its access logs follow the log retention. Replicating personal data to a second region would widen its footprint ' +
      'for no recovery benefit.';
    Validations.of(this.bucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
    Validations.of(this.accessLogsBucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
  }

  /**
   * Lets the function presign upload URLs and erase uploads: tells it the bucket
   * (`IMPORT_BUCKET_NAME`) and grants `s3:PutObject` and `s3:DeleteObject` under `uploads/` and
   * `kms:GenerateDataKey` on the bucket's key, all a single `PUT` of an SSE-KMS object needs (a
   * presigned request carries the signer's permissions). The delete serves the erasure of a
   * household, which removes the file it was imported from.
   */
  grantUploads(fn: ClearwayFunction): void {
    fn.addEnvironment(IMPORT_BUCKET_ENV, this.bucket.bucketName);
    Grant.addToPrincipal({ grantee: fn.role, actions: ['s3:PutObject', 's3:DeleteObject'], resourceArns: [this.bucket.arnForObjects(`${UPLOAD_PREFIX}*`)] });
    this.key.grant(fn.role, 'kms:GenerateDataKey');
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.bucketLogicalId}.Arn>/${UPLOAD_PREFIX}*]`,
      reason:
        `The ${fn.name} function presigns PUT URLs for uploads/<import id>.csv, one new object per import, and deletes that file when a household ` +
        `imported from it is erased: s3:PutObject and s3:DeleteObject on the uploads/ prefix of the import bucket, and nothing else of it.`,
    });
  }

  /** Logical id of {@link bucket}, as cdk-nag names it in findings. */
  get bucketLogicalId(): string {
    return Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement);
  }
}
