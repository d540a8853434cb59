import { CfnOutput, Duration, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { apiFunctions, subPathsOf, type ApiFunctionName } from '../../functions/manifest.ts';
import type { ClearwayConfig } from './config.ts';
import { Api } from './constructs/api.ts';
import { Auth } from './constructs/auth.ts';
import { Backup } from './constructs/backup.ts';
import { Data } from './constructs/data.ts';
import { DELIVERY_VISIBILITY_TIMEOUT, Deliverers, WEBHOOK_ALLOW_LIST_ENV, WEBHOOK_PORTS_ENV } from './constructs/deliverers.ts';
import { Events } from './constructs/events.ts';
import { Firewall } from './constructs/firewall.ts';
import { bindSecret, bindTable, bindUserPool, ClearwayFunction } from './constructs/function.ts';
import { Importer } from './constructs/importer.ts';
import { Imports } from './constructs/imports.ts';
import { LogKey } from './constructs/log-key.ts';
import { Observability } from './constructs/observability.ts';
import { Publisher } from './constructs/publisher.ts';
import { SafetyChecks } from './constructs/safety-checks.ts';
import { DOCUMENT_HASH_SECRET_ENV, Secrets } from './constructs/secrets.ts';
import { Web } from './constructs/web.ts';

/**
 * Functions whose every path is public (`functions/meta/manifest.ts`): no authorizer, and no
 * access to the table or the cursor secret. They still receive the names and ARNs, because
 * `shared/config.ts` parses the whole configuration at cold start.
 */
export const PUBLIC_FUNCTIONS: ReadonlySet<ApiFunctionName> = new Set<ApiFunctionName>(['meta']);

/**
 * API functions that hash identity document numbers and so read the hashing secret (in
 * `DOCUMENT_HASH_SECRET_ARN`). The importer, which is no API function, is given it by `Importer`.
 */
export const DOCUMENT_HASHING_FUNCTIONS: ReadonlySet<string> = new Set(['households', 'household-members']);

/** Functions that hand out presigned upload URLs for household CSV files (`POST /v1/household-imports`). */
export const IMPORT_UPLOADING_FUNCTIONS: ReadonlySet<string> = new Set(['households', 'assistance']);

/** Environment variable telling the functions the console's origin (CORS on their own answers). */
export const CONSOLE_ORIGIN_ENV = 'CORS_ALLOWED_ORIGIN';

/**
 * Prefix of the Cognito hosted sign-in domain: the stack name and the account, so each
 * environment of each account has its own (prefixes are unique per region across AWS).
 */
export const cognitoDomainPrefix = (stack: Stack): string => `${stack.stackName.toLowerCase()}-${stack.account}`;

export interface ClearwayStackProps extends StackProps {
  /** The validated context (`infra/aws/config.ts`). */
  readonly config: ClearwayConfig;
}

const constructId = (name: string) => name.replace(/(^|[-_])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());

/**
 * One Clearway environment: data (with its backups), identity, secrets, the API functions, the
 * REST API behind a WAF, the event pipeline (stream → publisher → bus → one queue and deliverer
 * per ministry, and a queue to the return-safety checks), the import bucket and its importer, and
 * the alarms and dashboard.
 */
export class ClearwayStack extends Stack {
  public readonly config: ClearwayConfig;
  public readonly logKey: LogKey;
  public readonly data: Data;
  public readonly backup: Backup;
  public readonly auth: Auth;
  public readonly secrets: Secrets;
  public readonly imports: Imports;
  public readonly importer: Importer;
  public readonly functions: ReadonlyMap<ApiFunctionName, ClearwayFunction>;
  public readonly api: Api;
  public readonly firewall: Firewall;
  public readonly observability: Observability;
  public readonly events: Events;
  public readonly publisher: Publisher;
  public readonly deliverers: Deliverers;
  public readonly safetyChecks: SafetyChecks;
  public readonly web: Web;
  /** Where browsers run the console: the `consoleOrigin` context, else the first of `consoleDomainNames`, else the distribution's own origin. */
  public readonly consoleOrigin: string;

  constructor(scope: Construct, id: string, props: ClearwayStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    this.logKey = new LogKey(this, 'LogKey');
    this.data = new Data(this, 'Data');
    this.backup = new Backup(this, 'Backup', { table: this.data.table, encryptionKey: this.data.key });
    // The console's distribution comes first: the user pool client, CORS and the functions need
    // its origin; it needs only the API's and the sign-in domain's names, read once they exist.
    this.web = new Web(this, 'Web', {
      apiOrigin: Lazy.string({ produce: () => `https://${this.api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}` }),
      authOrigin: Lazy.string({ produce: () => this.auth.domain!.baseUrl() }),
      uploadOrigins: [`https://*.s3.${this.region}.${this.urlSuffix}`],
      accessLogExpiry: Duration.days(config.logRetention),
      ...(config.consoleWebAclArn ? { webAclArn: config.consoleWebAclArn } : {}),
      ...(config.consoleDomain ? { domain: config.consoleDomain } : {}),
    });
    this.consoleOrigin = config.consoleOrigin ?? (config.consoleDomain ? `https://${config.consoleDomain.names[0]}` : this.web.url);
    const consoleUrls = [...new Set([this.web.url, this.consoleOrigin])].map((origin) => `${origin}/`);
    this.auth = new Auth(this, 'Auth', { console: { domainPrefix: cognitoDomainPrefix(this), urls: consoleUrls } });
    this.secrets = new Secrets(this, 'Secrets');
    this.imports = new Imports(this, 'Imports', {
      accessLogExpiry: Duration.days(config.logRetention),
      consoleOrigin: this.consoleOrigin,
    });

    const functions = new Map<ApiFunctionName, ClearwayFunction>();
    const routes = apiFunctions.map((def) => {
      const isPublic = PUBLIC_FUNCTIONS.has(def.name);
      const concurrency = config.functionConcurrency[def.name];
      const fn = new ClearwayFunction(this, `${constructId(def.name)}Function`, {
        name: def.name,
        logRetention: config.logRetention,
        logEncryptionKey: this.logKey.key,
        ...(concurrency ? { concurrency } : {}),
        description: `Clearway ${def.name} API (${[...def.basePaths, ...subPathsOf(def)].join(', ')})`,
      });
      bindUserPool(fn, this.auth);
      bindTable(fn, this.data.table, isPublic ? 'none' : 'readWrite');
      bindSecret(fn, 'CURSOR_SECRET_ARN', this.secrets.cursorSecret, isPublic ? 'none' : 'read');
      if (DOCUMENT_HASHING_FUNCTIONS.has(def.name)) bindSecret(fn, DOCUMENT_HASH_SECRET_ENV, this.secrets.documentHashSecret);
      if (IMPORT_UPLOADING_FUNCTIONS.has(def.name)) this.imports.grantUploads(fn);
      fn.addEnvironment(CONSOLE_ORIGIN_ENV, this.consoleOrigin);
      if (def.name === 'cleared-areas') fn.addEnvironment('REQUIRE_OBSERVER_ATTESTATION', config.requireObserverAttestation);
      // Subscriptions are refused up front for hosts the deliverers would refuse (and redrive delivers).
      if (def.name === 'notifications' && config.webhookAllowList.length > 0) fn.addEnvironment(WEBHOOK_ALLOW_LIST_ENV, config.webhookAllowList.join(','));
      if (def.name === 'notifications' && config.webhookPorts) fn.addEnvironment(WEBHOOK_PORTS_ENV, config.webhookPorts.join(','));
      functions.set(def.name, fn);
      return {
        name: def.name,
        fn: fn.target,
        basePaths: def.basePaths,
        subPaths: subPathsOf(def),
        authorization: isPublic ? ('public' as const) : ('cognito' as const),
      };
    });
    this.functions = functions;

    this.api = new Api(this, 'Api', {
      userPool: this.auth.userPool,
      routes,
      stageName: config.envName,
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
      consoleOrigin: this.consoleOrigin,
    });

    this.firewall = new Firewall(this, 'Firewall', {
      stage: this.api.restApi.deploymentStage,
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
      corsAllowedOrigin: this.consoleOrigin,
    });

    this.events = new Events(this, 'Events', { ministryAccounts: config.ministryAccounts, deliveryVisibilityTimeout: DELIVERY_VISIBILITY_TIMEOUT });

    this.publisher = new Publisher(this, 'Publisher', {
      table: this.data.table,
      bus: this.events.bus,
      queueKey: this.events.key,
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
    });

    this.deliverers = new Deliverers(this, 'Deliverers', {
      ministryQueues: this.events.ministryQueues,
      table: this.data.table,
      auth: this.auth,
      cursorSecret: this.secrets.cursorSecret,
      webhookAllowList: config.webhookAllowList,
      ...(config.webhookPorts ? { webhookPorts: config.webhookPorts } : {}),
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
    });

    this.safetyChecks = new SafetyChecks(this, 'SafetyChecks', {
      events: this.events,
      table: this.data.table,
      auth: this.auth,
      cursorSecret: this.secrets.cursorSecret,
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
    });

    this.importer = new Importer(this, 'Importer', {
      imports: this.imports,
      table: this.data.table,
      auth: this.auth,
      secrets: this.secrets,
      logRetention: config.logRetention,
      logEncryptionKey: this.logKey.key,
    });

    const monitored = [
      ...functions.values(),
      this.publisher.function,
      ...this.deliverers.functions.values(),
      this.safetyChecks.function,
      this.importer.function,
    ];
    this.observability = new Observability(this, 'Observability', {
      functions: monitored.map((fn) => ({ name: fn.name, fn: fn.fn })),
      stage: this.api.restApi.deploymentStage,
      table: this.data.table,
      webAclName: this.firewall.webAclName,
      deadLetterQueues: [
        { name: 'publisher', queue: this.publisher.deadLetterQueue },
        { name: 'importer', queue: this.importer.deadLetterQueue },
        { name: 'event-targets', queue: this.events.targetDeadLetterQueue },
        ...this.events.ministryQueues.map((m) => ({ name: `ministry-${m.ministry.toLowerCase()}`, queue: m.deadLetterQueue })),
        { name: 'return-safety', queue: this.safetyChecks.deadLetterQueue },
      ],
      streamConsumers: [{ name: 'publisher', fn: this.publisher.function.fn }],
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url });
    new CfnOutput(this, 'EventBusName', { value: this.events.bus.eventBusName });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'JwtIssuer', { value: this.auth.issuer });
    new CfnOutput(this, 'ImportBucketName', { value: this.imports.bucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.observability.topic.topicArn });
    new CfnOutput(this, 'CursorSecretArn', { value: this.secrets.cursorSecret.secretArn });
    new CfnOutput(this, 'ConsoleUrl', { value: `${this.consoleOrigin}/` });
    new CfnOutput(this, 'ConsoleDistributionUrl', { value: `${this.web.url}/` });
    new CfnOutput(this, 'ConsoleDistributionId', { value: this.web.distribution.distributionId });
    new CfnOutput(this, 'ConsoleBucketName', { value: this.web.bucket.bucketName });
    new CfnOutput(this, 'CognitoDomain', { value: this.auth.domain!.baseUrl() });
    new CfnOutput(this, 'DocumentHashSecretArn', { value: this.secrets.documentHashSecret.secretArn });
  }
}
