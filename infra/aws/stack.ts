import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { apiFunctions, type ApiFunctionName } from '../../functions/manifest.ts';
import { Api } from './constructs/api.ts';
import { Auth } from './constructs/auth.ts';
import { Data } from './constructs/data.ts';
import { bindSecret, bindTable, bindUserPool, ClearwayFunction } from './constructs/function.ts';
import { Secrets } from './constructs/secrets.ts';

/**
 * Functions whose every path is public (`functions/meta/manifest.ts`): no authorizer, and no
 * access to the table or the cursor secret. They still receive the names and ARNs, because
 * `shared/config.ts` parses the whole configuration at cold start.
 */
export const PUBLIC_FUNCTIONS: ReadonlySet<ApiFunctionName> = new Set<ApiFunctionName>(['meta']);

export interface ClearwayStackProps extends StackProps {
  /** Deployment environment (`dev`, `staging`, `prod`...), from the `env` context. */
  readonly envName: string;
  /** Retention of every log group, from the `logRetentionDays` context. */
  readonly logRetention: RetentionDays;
}

const constructId = (name: string) => name.replace(/(^|[-_])(\w)/g, (_, _sep: string, c: string) => c.toUpperCase());

/** One Clearway environment: data, identity, secrets, the API functions and the REST API. */
export class ClearwayStack extends Stack {
  public readonly data: Data;
  public readonly auth: Auth;
  public readonly secrets: Secrets;
  public readonly functions: ReadonlyMap<ApiFunctionName, ClearwayFunction>;
  public readonly api: Api;

  constructor(scope: Construct, id: string, props: ClearwayStackProps) {
    super(scope, id, props);

    this.data = new Data(this, 'Data');
    this.auth = new Auth(this, 'Auth');
    this.secrets = new Secrets(this, 'Secrets');

    const functions = new Map<ApiFunctionName, ClearwayFunction>();
    const routes = apiFunctions.map((def) => {
      const isPublic = PUBLIC_FUNCTIONS.has(def.name);
      const fn = new ClearwayFunction(this, `${constructId(def.name)}Function`, {
        name: def.name,
        logRetention: props.logRetention,
        description: `Clearway ${def.name} API (${def.basePaths.join(', ')})`,
      });
      bindUserPool(fn, this.auth);
      bindTable(fn, this.data.table, isPublic ? 'none' : 'readWrite');
      bindSecret(fn, 'CURSOR_SECRET_ARN', this.secrets.cursorSecret, isPublic ? 'none' : 'read');
      functions.set(def.name, fn);
      return { name: def.name, fn: fn.fn, basePaths: def.basePaths, authorization: isPublic ? ('public' as const) : ('cognito' as const) };
    });
    this.functions = functions;

    this.api = new Api(this, 'Api', {
      userPool: this.auth.userPool,
      routes,
      stageName: props.envName,
      logRetention: props.logRetention,
    });

    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'JwtIssuer', { value: this.auth.issuer });
  }
}
