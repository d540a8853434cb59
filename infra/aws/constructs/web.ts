import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bootScriptHash } from '../../../web/boot-script.ts';

/** Key prefixes in {@link Web.logsBucket}: S3 server access logs of the site bucket, CloudFront standard logs. */
export const WEB_LOG_PREFIXES = { site: 'site/', cdn: 'cdn/' } as const;

/** The file the console reads at start to learn how to sign in and where the API is (`deploy-web.ts` writes it). */
export const CONSOLE_CONFIG_FILE = 'config.json';

export interface WebProps {
  /** The API's origin (`https://<id>.execute-api.<region>.amazonaws.com`), the only API the console may call (CSP `connect-src`). */
  readonly apiOrigin: string;
  /** The Cognito hosted sign-in origin (`https://<prefix>.auth.<region>.amazoncognito.com`): token exchange (`connect-src`) and sign-in form posts. */
  readonly authOrigin: string;
  /**
   * Origins the console uploads household CSV files to with presigned `PUT` URLs (the import
   * bucket's S3 endpoint). A wildcard of the region's S3 endpoints: naming the bucket would make
   * the distribution depend on the bucket whose CORS rule depends on the distribution.
   * @default - none
   */
  readonly uploadOrigins?: readonly string[];
  /** How long the CloudFront and S3 access logs are kept (the stack's log retention). */
  readonly accessLogExpiry: Duration;
  /**
   * A CLOUDFRONT-scope WAF web ACL (created in us-east-1) to attach. The stack is regional and
   * cannot create one itself. @default - none
   */
  readonly webAclArn?: string;
  /**
   * The console's own domain names and an ACM certificate for them in us-east-1 (where
   * CloudFront reads certificates). With them viewers need TLS 1.2 at least (TLSv1.2_2021);
   * without, the distribution answers only on its *.cloudfront.net name, whose TLS policy
   * CloudFront fixes and which accepts older versions. @default - none
   */
  readonly domain?: { readonly names: readonly string[]; readonly certificateArn: string };
}

/**
 * The web console on AWS: a private, versioned, TLS-only S3 bucket holding the built console
 * (`web/dist` plus `config.json`, uploaded by `infra/aws/deploy-web.ts`), served only through a
 * CloudFront distribution that reads it with Origin Access Control. HTTPS only (HTTP redirects),
 * `index.html` at the root and as the single-page fallback, security headers on every answer
 * (a CSP allowing only this origin, the API and the Cognito hosted sign-in; HSTS; no framing;
 * no sniffing), and the distribution's and the bucket's access logs in a logs bucket.
 */
export class Web extends Construct {
  public readonly bucket: Bucket;
  /** CloudFront standard logs (`cdn/`) and the site bucket's server access logs (`site/`). */
  public readonly logsBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly headers: ResponseHeadersPolicy;
  /** `https://<distribution domain>`: where users open the console; also its sign-in callback. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);

    const secure = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      // The console's files are rebuilt from git at any time; its logs follow the log retention.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    } as const;

    this.logsBucket = new Bucket(this, 'Logs', {
      ...secure,
      // S3 server access logging and CloudFront standard logs deliver only to SSE-S3 buckets,
      // and CloudFront's standard logs still write with an ACL: ACLs stay enabled, owner preferred.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: props.accessLogExpiry, noncurrentVersionExpiration: Duration.days(1) }],
    });

    this.bucket = new Bucket(this, 'Site', {
      ...secure,
      // The console's code is public by nature (every visitor downloads it) and holds no data.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: WEB_LOG_PREFIXES.site,
      // Earlier builds stay a month for rollback, then go.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    const connect = ["'self'", props.apiOrigin, props.authOrigin, ...(props.uploadOrigins ?? [])].join(' ');
    const csp = [
      "default-src 'none'",
      // The page's one inline script, the boot script, by its hash (web/boot-script.ts).
      `script-src 'self' '${bootScriptHash()}'`,
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src ${connect}`,
      "manifest-src 'self'",
      "worker-src 'self'",
      `form-action 'self' ${props.authOrigin}`,
      "base-uri 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
    ].join('; ');

    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Clearway console: CSP (self, API, Cognito sign-in), HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'geolocation=(self), camera=(), microphone=(), payment=()', override: true }],
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${Stack.of(this).stackName} web console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // Honours the Cache-Control the deploy script sets: hashed assets for a year, index.html, sw.js and config.json revalidated.
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // Hash routing needs no fallback for its own links, but a deep link or a reload on an
      // unknown path still opens the console (OAC answers 403 for a missing key).
      errorResponses: [403, 404].map((httpStatus) => ({ httpStatus, responseHttpStatus: 200, responsePagePath: '/index.html', ttl: Duration.minutes(1) })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: WEB_LOG_PREFIXES.cdn,
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      ...(props.domain
        ? {
            domainNames: [...props.domain.names],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    this.acknowledge(props);
  }

  private acknowledge(props: WebProps): void {
    const noReplication =
      'Single-region by design: the site bucket holds only the built console, rebuilt from git by infra/aws/deploy-web.ts at any time, and the ' +
      'logs bucket follows the stack log retention; CloudFront already serves the files from edge locations worldwide.';
    Validations.of(this.bucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
    Validations.of(this.logsBucket).acknowledge({ id: 'NIST.800.53.R5-S3BucketReplicationEnabled', reason: noReplication });
    Validations.of(this.bucket).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        `Bucket ${this.bucket.node.path} holds the console's static HTML, JavaScript and CSS, which every visitor downloads anyway and which carry ` +
        `no data; SSE-S3 keeps them encrypted at rest without a key policy that would have to name the distribution that names the bucket.`,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      reason:
        `Bucket ${this.logsBucket.node.path} receives S3 server access logs and CloudFront standard logs, and both deliver only to buckets with ` +
        `SSE-S3 default encryption, not SSE-KMS. The logs hold request metadata, not console data.`,
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: relief agencies, observers (ASEAN) and ministry staff sign in from many countries, and every request to data is authorised by ' +
        'the API by role and country, not by where the browser is.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, whose viewer security policy CloudFront fixes (TLSv1); a minimum of ' +
          'TLSv1.2_2021 needs a custom domain with an ACM certificate in us-east-1 (-c consoleDomainNames and consoleCertificateArn). Viewers are ' +
          'redirected to HTTPS, current browsers negotiate TLS 1.3, and the API itself is TLS 1.2+.',
      });
    }
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CLOUDFRONT-scope web ACL must live in us-east-1 and this stack is regional; the distribution serves only static console files from a private ' +
          'bucket, and every data request goes to the API, which has its own regional WAF (rate limit and AWS managed rules). Pass -c consoleWebAclArn to ' +
          'attach one.',
      });
    }
  }
}
