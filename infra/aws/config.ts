import type { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { COUNTRIES, type Country } from '#shared/domain/common.ts';

/**
 * A context value that cannot be used. Its message is one line naming the `-c` flag, so that
 * `infra/aws/app.ts` can print it alone instead of a stack trace.
 */
export class ContextError extends Error {
  readonly key: string;

  constructor(key: string, problem: string) {
    super(`Invalid -c ${key}: ${problem}`);
    this.name = 'ContextError';
    this.key = key;
  }
}

/** Reserved and provisioned concurrency of one function; both absent means the account's shared pool. */
export interface FunctionConcurrency {
  /** Executions reserved for (and the cap of) the function. */
  readonly reserved?: number;
  /** Pre-initialised execution environments behind the `live` alias the API calls. */
  readonly provisioned?: number;
}

/** Everything the CDK app takes from `cdk.json` context and `-c` flags, validated. */
export interface ClearwayConfig {
  /** `env`: short lower-case name; the stack is `Clearway-<env>` and the API stage is `<env>`. */
  readonly envName: string;
  /** `logRetentionDays`: one of CloudWatch Logs' retention periods. */
  readonly logRetention: RetentionDays;
  /** `ministryAccounts`: AWS account id of each country's ministry, for the event delivery to come. */
  readonly ministryAccounts: Readonly<Partial<Record<Country, string>>>;
  /** `webhookAllowList`: hostnames subscription URLs may point at (`*.example.org` for subdomains). */
  readonly webhookAllowList: readonly string[];
  /** `alarmEmail`: where alarm notifications are e-mailed; none when absent. */
  readonly alarmEmail: string | undefined;
  /**
   * `requireObserverAttestation`: `joint` (handover of land from a joint task or contested area
   * needs an ASEAN observer's attestation) or `none`.
   * @default 'joint'
   */
  readonly requireObserverAttestation: 'joint' | 'none';
  /** `consoleOrigin`: the web console's origin, allowed by CORS; no CORS at all when absent. */
  readonly consoleOrigin: string | undefined;
  /** `functionConcurrency`: per function name, e.g. `{"tasks":{"reserved":100,"provisioned":2}}`. */
  readonly functionConcurrency: Readonly<Record<string, FunctionConcurrency>>;
  /** `webhookPorts`: ports webhooks may be called on (`WEBHOOK_PORTS`); 443 alone when absent. */
  readonly webhookPorts: readonly number[] | undefined;
  /**
   * `consoleWebAclArn`: a CLOUDFRONT-scope WAF web ACL, which AWS keeps in us-east-1, attached to
   * the console's distribution; none when absent (this regional stack cannot create one).
   */
  readonly consoleWebAclArn: string | undefined;
  /**
   * `consoleDomainNames` and `consoleCertificateArn`, given together: the console's own domain
   * names and an ACM certificate for them in us-east-1. With them the distribution answers on
   * those names with TLS 1.2 at least (TLSv1.2_2021); without, on its *.cloudfront.net name,
   * whose TLS policy CloudFront fixes.
   */
  readonly consoleDomain: { readonly names: readonly string[]; readonly certificateArn: string } | undefined;
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ACCOUNT_ID = /^\d{12}$/;
const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CLOUDFRONT_WEB_ACL_ARN = /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[A-Za-z0-9_-]{1,128}\/[0-9a-f-]{36}$/;
const US_EAST_1_CERTIFICATE_ARN = /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** `-c key=value` always yields a string; cdk.json may hold any JSON value. Empty means unset. */
function raw(app: App, key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

/** Objects and arrays arrive as JSON text from `-c`; as values from cdk.json. */
function jsonish(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ContextError(key, `is not valid JSON: ${text}`);
  }
}

function envName(app: App): string {
  const value = raw(app, 'env');
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    throw new ContextError('env', `must be a short lower-case name such as dev, staging or prod (letters, digits, dashes; at most 20), got ${show(value)}`);
  }
  return value;
}

function logRetention(app: App): RetentionDays {
  const value = raw(app, 'logRetentionDays');
  const days = typeof value === 'string' ? Number(value) : value;
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  const match = allowed.find((v) => v === days);
  if (match === undefined) {
    throw new ContextError('logRetentionDays', `must be one of CloudWatch Logs' retention periods (${allowed.join(', ')}), got ${show(value)}`);
  }
  return match;
}

function ministryAccounts(app: App): Partial<Record<Country, string>> {
  const key = 'ministryAccounts';
  let value = jsonish(key, raw(app, key));
  if (value === undefined) return {};
  // `-c ministryAccounts=KH=111111111111,TH=222222222222` as well as JSON.
  if (typeof value === 'string') {
    value = Object.fromEntries(
      value.split(',').map((pair) => {
        const [country = '', account = ''] = pair.split('=').map((s) => s.trim());
        return [country, account];
      }),
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContextError(key, `must map a country to a 12-digit AWS account id, e.g. {"KH":"111111111111","TH":"222222222222"}, got ${show(value)}`);
  }
  const accounts: Partial<Record<Country, string>> = {};
  for (const [country, account] of Object.entries(value)) {
    if (!(COUNTRIES as readonly string[]).includes(country)) {
      throw new ContextError(key, `unknown country ${show(country)}; expected ${COUNTRIES.join(' or ')}`);
    }
    const id = typeof account === 'number' ? String(account) : account;
    if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) {
      throw new ContextError(key, `${country} must be a 12-digit AWS account id, got ${show(account)}`);
    }
    accounts[country as Country] = id;
  }
  return accounts;
}

function webhookAllowList(app: App): string[] {
  const key = 'webhookAllowList';
  let value = jsonish(key, raw(app, key));
  if (value === undefined) return [];
  if (typeof value === 'string') value = value.split(',').map((s) => s.trim());
  if (!Array.isArray(value)) {
    throw new ContextError(key, `must be a list of hostnames, e.g. ["hooks.mod.gov.kh","*.example.org"], got ${show(value)}`);
  }
  return value.map((entry: unknown) => {
    const host = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    const labels = (host.startsWith('*.') ? host.slice(2) : host).split('.');
    if (host.length > 253 || labels.length < 2 || !labels.every((l) => HOSTNAME_LABEL.test(l))) {
      const hint = typeof entry === 'string' && entry.includes('://') ? ' (a hostname, not a URL)' : '';
      throw new ContextError(key, `${show(entry)} is not a hostname${hint}; use e.g. hooks.mod.gov.kh or *.example.org`);
    }
    return host;
  });
}

function alarmEmail(app: App): string | undefined {
  const value = raw(app, 'alarmEmail');
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !EMAIL.test(value.trim())) {
    throw new ContextError('alarmEmail', `must be an e-mail address, got ${show(value)}`);
  }
  return value.trim();
}

function consoleOrigin(app: App): string | undefined {
  const value = raw(app, 'consoleOrigin');
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value.trim()) : undefined;
  } catch {
    url = undefined;
  }
  const local = url?.hostname === 'localhost' || url?.hostname === '127.0.0.1';
  if (!url || !(url.protocol === 'https:' || (local && url.protocol === 'http:')) || url.origin !== String(value).trim().replace(/\/$/, '')) {
    throw new ContextError(
      'consoleOrigin',
      `must be an origin such as https://console.example.org (https, no path; http only for localhost), got ${show(value)}`,
    );
  }
  return url.origin;
}

function functionConcurrency(app: App, functionNames: readonly string[]): Record<string, FunctionConcurrency> {
  const key = 'functionConcurrency';
  const value = jsonish(key, raw(app, key));
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ContextError(key, `must be JSON such as {"tasks":{"reserved":100,"provisioned":2}}, got ${show(value)}`);
  }
  const result: Record<string, FunctionConcurrency> = {};
  for (const [name, settings] of Object.entries(value)) {
    if (!functionNames.includes(name)) {
      throw new ContextError(key, `unknown function ${show(name)}; the functions are ${functionNames.join(', ')}`);
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
      throw new ContextError(key, `${name} must be an object like {"reserved":100,"provisioned":2}, got ${show(settings)}`);
    }
    const entry: { reserved?: number; provisioned?: number } = {};
    for (const [setting, count] of Object.entries(settings)) {
      if (setting !== 'reserved' && setting !== 'provisioned') {
        throw new ContextError(key, `${name}.${setting} is not a setting; use reserved and/or provisioned`);
      }
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
        throw new ContextError(key, `${name}.${setting} must be a positive whole number, got ${show(count)}`);
      }
      entry[setting] = count;
    }
    if (entry.reserved !== undefined && entry.provisioned !== undefined && entry.provisioned > entry.reserved) {
      throw new ContextError(key, `${name}.provisioned (${entry.provisioned}) cannot exceed ${name}.reserved (${entry.reserved})`);
    }
    result[name] = entry;
  }
  return result;
}

function webhookPorts(app: App): number[] | undefined {
  const key = 'webhookPorts';
  let value = jsonish(key, raw(app, key));
  if (value === undefined) return undefined;
  if (typeof value === 'string') value = value.split(',').map((s) => s.trim());
  if (typeof value === 'number') value = [value];
  const ports = Array.isArray(value) ? value.map((p: unknown) => (typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p)) : [];
  if (ports.length === 0 || !ports.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535)) {
    throw new ContextError(key, `must be a list of port numbers, e.g. 443,8443, got ${show(value)}`);
  }
  return ports as number[];
}

function consoleWebAclArn(app: App): string | undefined {
  const value = raw(app, 'consoleWebAclArn');
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !CLOUDFRONT_WEB_ACL_ARN.test(value.trim())) {
    throw new ContextError(
      'consoleWebAclArn',
      `must be the ARN of a CLOUDFRONT-scope WAF web ACL, which lives in us-east-1 (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>), got ${show(value)}`,
    );
  }
  return value.trim();
}

function consoleDomain(app: App): ClearwayConfig['consoleDomain'] {
  let names = jsonish('consoleDomainNames', raw(app, 'consoleDomainNames'));
  const certificateArn = raw(app, 'consoleCertificateArn');
  if (names === undefined && certificateArn === undefined) return undefined;
  if (names === undefined) throw new ContextError('consoleDomainNames', 'is needed with consoleCertificateArn: the domain names the certificate is for');
  if (certificateArn === undefined)
    throw new ContextError('consoleCertificateArn', 'is needed with consoleDomainNames: an ACM certificate for them in us-east-1');
  if (typeof names === 'string') names = names.split(',').map((s) => s.trim());
  if (!Array.isArray(names) || names.length === 0)
    throw new ContextError('consoleDomainNames', `must be a list of domain names, e.g. console.example.org, got ${show(names)}`);
  const hosts = names.map((entry: unknown) => {
    const host = typeof entry === 'string' ? entry.trim().toLowerCase() : '';
    const labels = host.split('.');
    if (host.length > 253 || labels.length < 2 || !labels.every((l) => HOSTNAME_LABEL.test(l))) {
      throw new ContextError('consoleDomainNames', `${show(entry)} is not a domain name; use e.g. console.example.org`);
    }
    return host;
  });
  if (typeof certificateArn !== 'string' || !US_EAST_1_CERTIFICATE_ARN.test(certificateArn.trim())) {
    throw new ContextError(
      'consoleCertificateArn',
      `must be the ARN of an ACM certificate in us-east-1, where CloudFront reads certificates (arn:aws:acm:us-east-1:<account>:certificate/<id>), ` +
        `got ${show(certificateArn)}`,
    );
  }
  return { names: hosts, certificateArn: certificateArn.trim() };
}

/**
 * Reads and validates the whole configuration once, before any construct exists, so that a
 * bad value fails `cdk synth` with one line naming the flag (a {@link ContextError}).
 *
 * @param functionNames the API functions (`functions/manifest.ts`), which `functionConcurrency` may name
 */
export function readConfig(app: App, functionNames: readonly string[]): ClearwayConfig {
  return {
    envName: envName(app),
    logRetention: logRetention(app),
    ministryAccounts: ministryAccounts(app),
    webhookAllowList: webhookAllowList(app),
    alarmEmail: alarmEmail(app),
    consoleOrigin: consoleOrigin(app),
    functionConcurrency: functionConcurrency(app, functionNames),
    requireObserverAttestation: requireObserverAttestation(app),
    webhookPorts: webhookPorts(app),
    consoleWebAclArn: consoleWebAclArn(app),
    consoleDomain: consoleDomain(app),
  };
}

function requireObserverAttestation(app: App): 'joint' | 'none' {
  const value = raw(app, 'requireObserverAttestation');
  if (value === undefined) return 'joint';
  if (value !== 'joint' && value !== 'none')
    throw new ContextError(
      'requireObserverAttestation',
      `must be joint (releases of joint tasks and contested land need an ASEAN observer's attestation before handover) or none, got ${show(value)}`,
    );
  return value;
}
