import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type RequestValidator,
  ResponseType,
  RestApi,
  type IResource,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** `public`: no token (health, OpenAPI, docs); `cognito`: a valid ID token from the user pool. */
export type RouteAuthorization = 'public' | 'cognito';

/** The paths one function owns (from `functions/manifest.ts`) and who may call them. */
export interface ApiRoute {
  /** The function's name, used in acknowledgement reasons. */
  readonly name: string;
  readonly fn: IFunction;
  /** Each path and everything below it (`{proxy+}`) goes to `fn`. */
  readonly basePaths: readonly string[];
  /**
   * Paths below another route's base path that go to `fn` instead, with everything below them
   * (`/v1/households/{id}/assistance`): a base path, one path variable, then literal parts.
   * @default - none
   */
  readonly subPaths?: readonly string[];
  readonly authorization: RouteAuthorization;
}

export interface ApiProps {
  readonly userPool: IUserPool;
  readonly routes: readonly ApiRoute[];
  /** Stage name, the first segment of every URL until a custom domain maps it away. */
  readonly stageName: string;
  /** How long access logs are kept. */
  readonly logRetention: RetentionDays;
  /** Encrypts the access log group. */
  readonly logEncryptionKey: IKey;
  /**
   * The web console's origin: browsers on it may call the API (CORS preflight answered by API
   * Gateway, and gateway errors carry the header too). @default - no CORS at all
   */
  readonly consoleOrigin?: string;
  /** Steady-state requests per second across the stage. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst bucket across the stage. @default 100 */
  readonly throttlingBurstLimit?: number;
}

/** One JSON object per request; no bodies, no headers beyond the user agent, no token. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    xrayTraceId: AccessLogField.contextXrayTraceId(),
    requestTime: AccessLogField.contextRequestTime(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    path: AccessLogField.contextPath(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
    authorizerError: AccessLogField.contextAuthorizerError(),
    errorResponseType: AccessLogField.contextErrorResponseType(),
    sub: AccessLogField.contextAuthorizerClaims('sub'),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
  }),
);

/** Request headers a browser on the console's origin may send. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'] as const;

/**
 * Errors API Gateway answers itself (before any function runs), shaped like the app's RFC 9457
 * problems (`shared/http/problem.ts`). Unknown paths reach no route and come back as
 * MISSING_AUTHENTICATION_TOKEN: a 404 here, as the app would answer.
 */
const GATEWAY_PROBLEMS: readonly { type: ResponseType; status?: number; slug?: string; title?: string }[] = [
  { type: ResponseType.UNAUTHORIZED, status: 401, slug: 'unauthorized', title: 'Unauthorized' },
  { type: ResponseType.ACCESS_DENIED, status: 403, slug: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.WAF_FILTERED, status: 403, slug: 'forbidden', title: 'Forbidden' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, slug: 'not-found', title: 'Not found' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: 400, slug: 'bad-request', title: 'Bad request' },
  { type: ResponseType.BAD_REQUEST_BODY, status: 400, slug: 'bad-request', title: 'Bad request' },
  { type: ResponseType.REQUEST_TOO_LARGE, status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  { type: ResponseType.THROTTLED, status: 429, slug: 'too-many-requests', title: 'Too many requests' },
  { type: ResponseType.DEFAULT_4XX },
  { type: ResponseType.DEFAULT_5XX },
];

function problemTemplate(problem: { status?: number; slug?: string; title?: string }): string {
  // $context.error.messageString is already a quoted JSON string.
  const head = problem.status
    ? `"type":"urn:clearway:problem:${problem.slug}","title":"${problem.title}","status":${problem.status},`
    : '"type":"about:blank","title":$context.error.messageString,';
  return `{${head}"detail":$context.error.messageString,"requestId":"$context.requestId"}`;
}

/**
 * The REST API: for every base path of every route, the path itself and its `{proxy+}` child
 * take ANY method through a Lambda proxy integration; the Cognito authorizer guards every method
 * except those of `public` routes. The stage is throttled, traced, and access-logged as JSON.
 *
 * Request validation: one validator (parameters and body) on every method. The parameters it
 * can check on a proxy route are the ones every request must carry: the `{proxy+}` path and, on
 * guarded methods, the Authorization header. No body model is attached: one ANY method per path
 * serves bodies of many shapes (and GET none), and a model would answer in API Gateway's own
 * error shape; the functions validate every body and parameter with zod and answer problem+json.
 */
export class Api extends Construct {
  public readonly restApi: RestApi;
  public readonly authorizer: CognitoUserPoolsAuthorizer;
  public readonly accessLogs: LogGroup;
  public readonly requestValidator: RequestValidator;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, encryptionKey: props.logEncryptionKey });

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Clearway HTTP API',
      endpointTypes: [EndpointType.REGIONAL],
      // Access and execution logging need the account's API Gateway CloudWatch role; it is an
      // account-wide setting, so it is kept when the stack goes.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new LogGroupLogDestination(this.accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Never log request or response bodies: they carry personal data.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
      },
      ...(props.consoleOrigin
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [props.consoleOrigin],
              allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
              allowHeaders: [...CORS_ALLOWED_HEADERS],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [props.userPool] });
    this.requestValidator = this.restApi.addRequestValidator('RequestValidator', { validateRequestParameters: true, validateRequestBody: true });

    const corsHeaders: Record<string, string> = props.consoleOrigin ? { 'Access-Control-Allow-Origin': `'${props.consoleOrigin}'`, Vary: "'Origin'" } : {};
    for (const problem of GATEWAY_PROBLEMS) {
      this.restApi.addGatewayResponse(problem.type.responseType, {
        type: problem.type,
        ...(problem.status ? { statusCode: String(problem.status) } : {}),
        responseHeaders: {
          ...corsHeaders,
          ...(problem.type === ResponseType.UNAUTHORIZED ? { 'WWW-Authenticate': `'Bearer realm="clearway"'` } : {}),
        },
        templates: { 'application/json': problemTemplate(problem) },
      });
    }

    const owners = new Map<string, string>();
    const integrations = new Map(props.routes.map((route) => [route, new LambdaIntegration(route.fn, { allowTestInvoke: false })]));
    const optionsOf = (route: ApiRoute): MethodOptions =>
      route.authorization === 'public'
        ? { authorizationType: AuthorizationType.NONE }
        : { authorizationType: AuthorizationType.COGNITO, authorizer: this.authorizer };
    const subRoutes = props.routes.flatMap((route) => (route.subPaths ?? []).map((path) => ({ path, route })));
    for (const route of props.routes) {
      const integration = integrations.get(route)!;
      const options = optionsOf(route);
      for (const basePath of route.basePaths) {
        const owner = owners.get(basePath);
        if (owner) throw new Error(`API path ${basePath} is claimed by both ${owner} and ${route.name}`);
        owners.set(basePath, route.name);

        const base = this.restApi.root.resourceForPath(basePath);
        this.addMethod(base, integration, options, route);
        const below = subRoutes.filter((s) => s.path.startsWith(`${basePath}/`));
        if (below.length === 0) {
          this.addMethod(base.addResource('{proxy+}'), integration, options, route);
          continue;
        }
        // A more specific path of another function lies below: API Gateway allows no literal beside
        // `{proxy+}` and one variable per level, so the base path gets `{var}` and `{var}/{proxy+}`
        // (together what `{proxy+}` matched), and the literal sub-paths sit beside that `{proxy+}`.
        const variables = new Set(below.map((s) => s.path.slice(basePath.length + 1).split('/')[0]!));
        const variable = [...variables][0]!;
        if (variables.size > 1 || !/^\{\w+\}$/.test(variable))
          throw new Error(`Sub-paths below ${basePath} must all start with one path variable: ${below.map((s) => s.path).join(', ')}`);
        const item = base.addResource(variable);
        this.addMethod(item, integration, options, route);
        this.addMethod(item.addResource('{proxy+}'), integration, options, route);
        for (const sub of below) {
          const resource = this.restApi.root.resourceForPath(sub.path);
          this.addMethod(resource, integrations.get(sub.route)!, optionsOf(sub.route), sub.route);
          this.addMethod(resource.addResource('{proxy+}'), integrations.get(sub.route)!, optionsOf(sub.route), sub.route);
        }
      }
    }

    const stage = this.restApi.deploymentStage;
    Validations.of(stage).acknowledge({
      id: 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      reason:
        `Stage ${props.stageName} has no cache: answers depend on the caller's role, country and organisation and carry personal data, and every ` +
        `change is guarded by If-Match against the stored version, so a cached read would be wrong or leak; a cache cluster would also bill by the hour.`,
    });
    Validations.of(stage).acknowledge({
      id: 'NIST.800.53.R5-APIGWSSLEnabled',
      reason:
        `Stage ${props.stageName} has no backend client certificate because it has no HTTP backend: every integration is a Lambda proxy invoked ` +
        `through the Lambda API with IAM; clients reach the stage over TLS only.`,
    });
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway uses to write access and execution logs; AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy ' +
          'for exactly that and is not scoped per log group by the service.',
      });
    }
  }

  private addMethod(resource: IResource, integration: LambdaIntegration, options: MethodOptions, route: ApiRoute): void {
    const isProxy = resource.path.endsWith('{proxy+}');
    const requestParameters: Record<string, boolean> = {
      ...(isProxy ? { 'method.request.path.proxy': true } : {}),
      ...(route.authorization === 'public' ? {} : { 'method.request.header.Authorization': true }),
    };
    const method = resource.addMethod('ANY', integration, {
      ...options,
      requestValidator: this.requestValidator,
      ...(Object.keys(requestParameters).length > 0 ? { requestParameters } : {}),
    });
    if (route.authorization !== 'public') return;
    const reason =
      `ANY ${resource.path} belongs to the ${route.name} function, whose paths (${route.basePaths.join(', ')}) are public by design: they answer ` +
      `without a token and serve no Clearway data.`;
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
  }
}
