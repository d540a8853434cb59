import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ImportsProps {
  /** How long uploaded CSV files are kept: they hold personal data and are only a staging step. @default Duration.days(7) */
  readonly uploadExpiry?: Duration;
  /** How long S3 server access logs are kept (the stack's log retention). */
  readonly accessLogExpiry: Duration;
  /** The web console's origin, allowed to `PUT` to presigned upload URLs. @default - no CORS */
  readonly consoleOrigin?: string;
}

/**
 * Where household CSV files are uploaded (`POST /v1/household-imports` hands out presigned
 * `PUT` URLs): encrypted with a customer-managed key, private, TLS only, versioned, and emptied
 * by lifecycle rules: uploads expire after a week, overwritten or deleted versions a day later.
 * Access to it is logged to a second bucket. Not yet read by a function (the importer comes
 * with the bulk-import issue).
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
          expiration: props.uploadExpiry ?? Duration.days(7),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      ...(props.consoleOrigin
        ? { cors: [{ allowedOrigins: [props.consoleOrigin], allowedMethods: [HttpMethods.PUT], allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'], maxAge: 3600 }] }
        : {}),
    });

    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason: `Bucket ${this.accessLogsBucket.node.path} receives the server access logs of the import bucket, and S3 server access logging delivers only to buckets with SSE-S3 default encryption, not SSE-KMS. The logs hold request metadata, not file contents.`,
    });
    const noReplication =
      'Single-region by design: the import bucket only stages CSV uploads for at most a week before they are imported into the table (which AWS Backup protects), and its access logs follow the log retention. Replicating personal data to a second region would widen its footprint for no recovery benefit.';
    Validations.of(this.bucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
    Validations.of(this.accessLogsBucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
  }
}
