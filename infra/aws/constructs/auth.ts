import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { COUNTRIES } from '#shared/domain/common.ts';
import { ROLES } from '#shared/domain/roles.ts';

/** The token claims `shared/domain/roles.ts` reads from Cognito: `custom:<name>`. */
export const CUSTOM_ATTRIBUTES = ['country', 'org', 'team'] as const;

/** The web console's hosted sign-in: where Cognito may send the browser back to. */
export interface ConsoleSignIn {
  /** Prefix of the hosted sign-in domain `<prefix>.auth.<region>.amazoncognito.com`; unique per region. */
  readonly domainPrefix: string;
  /** The console's URLs (its origin with a trailing slash): callback after sign-in and after sign-out. */
  readonly urls: readonly string[];
}

export interface AuthProps {
  /**
   * Turns on Cognito's hosted sign-in for the web console: a user pool domain, and the app
   * client gets the authorization-code grant (the console uses PKCE; the client has no secret)
   * with the scopes openid, email and profile. @default - no hosted sign-in, no OAuth flows
   */
  readonly console?: ConsoleSignIn;
}

/**
 * Who may call the API. Accounts are created by administrators only; a role is a group (one per
 * entry of `ROLES`), and country, organisation and team are custom attributes that only an
 * administrator can change: the app client may read them but not write them, so a user cannot
 * move themselves to another country.
 */
export class Auth extends Construct {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  /** The `iss` of every token the pool issues: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  public readonly issuer: string;
  /** The pool's public signing keys. */
  public readonly jwksUrl: string;
  /** The hosted sign-in domain, when {@link AuthProps.console} is given. */
  public readonly domain: UserPoolDomain | undefined;

  constructor(scope: Construct, id: string, props: AuthProps = {}) {
    super(scope, id);

    const countryLength = Math.max(...COUNTRIES.map((c) => c.length));
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        country: new StringAttribute({ minLen: countryLength, maxLen: countryLength, mutable: true }),
        org: new StringAttribute({ minLen: 1, maxLen: 128, mutable: true }),
        team: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        // None of the last five passwords may come back (a Plus/Essentials feature).
        passwordHistorySize: 5,
        tempPasswordValidity: Duration.days(3),
      },
      // The data locates minefields and returnee households: a second factor for everyone.
      // Cognito's MFA setting is per pool, not per group, so REQUIRED is also how the privileged
      // groups (admin, operations, qa, ministry) are covered: no one signs in without TOTP.
      // TOTP only; SMS needs an SNS role and is unreliable in the border provinces.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins) needs the Plus plan.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    ROLES.forEach((role, precedence) => {
      this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        description: `Clearway role ${role}`,
        precedence,
      });
    });

    this.client = this.userPool.addClient('AppClient', {
      // SRP for people signing in from a client; ADMIN_USER_PASSWORD_AUTH only through the
      // IAM-signed AdminInitiateAuth API, for operators (first admin, README) and never in public.
      authFlows: { userSrp: true, adminUserPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      // The web console signs in through the hosted UI with the authorization-code grant and
      // PKCE (a public client: no secret); its ID token is the API's bearer token, so the API's
      // audience stays this one client. No implicit grant, no client credentials.
      ...(props.console
        ? {
            oAuth: {
              flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
              callbackUrls: [...props.console.urls],
              logoutUrls: [...props.console.urls],
            },
            supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
          }
        : { disableOAuth: true }),
      readAttributes: new ClientAttributes().withStandardAttributes({ email: true, emailVerified: true }).withCustomAttributes(...CUSTOM_ATTRIBUTES),
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
    });

    this.domain = props.console ? this.userPool.addDomain('ConsoleDomain', { cognitoDomain: { domainPrefix: props.console.domainPrefix } }) : undefined;

    // `userPoolProviderUrl` (CloudFormation's ProviderURL) lacks the scheme that `iss` carries.
    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }
}
