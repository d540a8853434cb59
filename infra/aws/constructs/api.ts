import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type IResource,
  type MethodOptions,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
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
  readonly authorization: RouteAuthorization;
}

export interface ApiProps {
  readonly userPool: IUserPool;
  readonly routes: readonly ApiRoute[];
  /** Stage name, the first segment of every URL until a custom domain maps it away. */
  readonly stageName: string;
  /** How long access logs are kept. */
  readonly logRetention: RetentionDays;
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

/**
 * The REST API: for every base path of every route, the path itself and its `{proxy+}` child
 * take ANY method through a Lambda proxy integration; the Cognito authorizer guards every method
 * except those of `public` routes. The stage is throttled, traced, and access-logged as JSON.
 */
export class Api extends Construct {
  public readonly restApi: RestApi;
  public readonly authorizer: CognitoUserPoolsAuthorizer;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });

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
    });

    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [props.userPool] });

    const owners = new Map<string, string>();
    for (const route of props.routes) {
      const integration = new LambdaIntegration(route.fn, { allowTestInvoke: false });
      const options: MethodOptions =
        route.authorization === 'public'
          ? { authorizationType: AuthorizationType.NONE }
          : { authorizationType: AuthorizationType.COGNITO, authorizer: this.authorizer };

      for (const basePath of route.basePaths) {
        const owner = owners.get(basePath);
        if (owner) throw new Error(`API path ${basePath} is claimed by both ${owner} and ${route.name}`);
        owners.set(basePath, route.name);

        const base = this.restApi.root.resourceForPath(basePath);
        for (const resource of [base, base.addResource('{proxy+}')]) {
          this.addMethod(resource, integration, options, route);
        }
      }
    }

    const stage = this.restApi.deploymentStage;
    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Every route is a {proxy+} Lambda proxy whose Hono app validates parameters and bodies with zod and answers problem+json; an API Gateway request validator arrives with the production-hardening issue #7.',
    });
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: `Stage ${props.stageName}: the WAF web ACL arrives with the production-hardening issue #7 (stage throttling applies meanwhile).`,
    });
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level role API Gateway uses to write access and execution logs; AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy for exactly that and is not scoped per log group by the service.',
      });
    }
  }

  private addMethod(resource: IResource, integration: LambdaIntegration, options: MethodOptions, route: ApiRoute): void {
    const method = resource.addMethod('ANY', integration, options);
    if (route.authorization !== 'public') return;
    const reason = `ANY ${resource.path} belongs to the ${route.name} function, whose paths (${route.basePaths.join(', ')}) are public by design: they answer without a token and serve no Clearway data.`;
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
  }
}
