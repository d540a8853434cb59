import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ContextError, readConfig } from '../../infra/aws/config.ts';
import { cdkContext } from './app.ts';

const FUNCTIONS = ['meta', 'tasks'];
/** Context as cdk.json gives it, overridden the way `-c key=value` does (always strings). */
const read = (overrides: Record<string, unknown>) => readConfig(new App({ context: { ...cdkContext, ...overrides } }), FUNCTIONS);
const failure = (overrides: Record<string, unknown>): string => {
  try {
    read(overrides);
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ContextError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(overrides)}`);
};

describe('context', () => {
  it('reads cdk.json as is: env dev, 90-day logs, no ministries, no allow-list, no alarm e-mail, no CORS, no concurrency settings', () => {
    expect(read({})).toEqual({
      envName: 'dev',
      logRetention: RetentionDays.THREE_MONTHS,
      ministryAccounts: {},
      webhookAllowList: [],
      alarmEmail: undefined,
      consoleOrigin: undefined,
      functionConcurrency: {},
      requireObserverAttestation: 'joint',
      webhookPorts: undefined,
      consoleWebAclArn: undefined,
      consoleDomain: undefined,
    });
  });

  it('takes requireObserverAttestation joint or none, and refuses anything else naming the flag', () => {
    expect(read({ requireObserverAttestation: 'none' }).requireObserverAttestation).toBe('none');
    expect(() => read({ requireObserverAttestation: 'always' })).toThrow(/requireObserverAttestation/);
  });

  it('accepts every value as the string a -c flag passes', () => {
    expect(
      read({
        env: 'staging',
        logRetentionDays: '30',
        ministryAccounts: 'KH=111111111111,TH=222222222222',
        webhookAllowList: 'hooks.mod.gov.kh, *.example.go.th',
        alarmEmail: 'ops@example.org',
        consoleOrigin: 'https://console.example.org',
        functionConcurrency: '{"tasks":{"reserved":50,"provisioned":5}}',
      }),
    ).toEqual({
      envName: 'staging',
      logRetention: RetentionDays.ONE_MONTH,
      ministryAccounts: { KH: '111111111111', TH: '222222222222' },
      webhookAllowList: ['hooks.mod.gov.kh', '*.example.go.th'],
      alarmEmail: 'ops@example.org',
      consoleOrigin: 'https://console.example.org',
      functionConcurrency: { tasks: { reserved: 50, provisioned: 5 } },
      requireObserverAttestation: 'joint',
      webhookPorts: undefined,
      consoleWebAclArn: undefined,
      consoleDomain: undefined,
    });
  });

  it('accepts JSON for the structured values, and an empty -c value as unset', () => {
    const config = read({ ministryAccounts: '{"TH":"222222222222"}', webhookAllowList: '["hooks.example.org"]', alarmEmail: '', consoleOrigin: '' });
    expect(config).toMatchObject({
      ministryAccounts: { TH: '222222222222' },
      webhookAllowList: ['hooks.example.org'],
      alarmEmail: undefined,
      consoleOrigin: undefined,
    });
  });

  it.each([
    [{ env: 'Prod!' }, /^Invalid -c env: must be a short lower-case name/],
    [{ logRetentionDays: '45' }, /^Invalid -c logRetentionDays: must be one of CloudWatch Logs' retention periods \(1, 3, 5, .*\), got "45"$/],
    [{ ministryAccounts: 'KH=12345' }, /^Invalid -c ministryAccounts: KH must be a 12-digit AWS account id, got "12345"$/],
    [{ ministryAccounts: '{"VN":"111111111111"}' }, /^Invalid -c ministryAccounts: unknown country "VN"; expected KH or TH$/],
    [{ ministryAccounts: '{"KH":' }, /^Invalid -c ministryAccounts: is not valid JSON/],
    [
      { webhookAllowList: 'https://hooks.example.org/x' },
      /^Invalid -c webhookAllowList: "https:\/\/hooks.example.org\/x" is not a hostname \(a hostname, not a URL\)/,
    ],
    [{ webhookAllowList: 'localhost' }, /^Invalid -c webhookAllowList: "localhost" is not a hostname/],
    [{ alarmEmail: 'ops' }, /^Invalid -c alarmEmail: must be an e-mail address, got "ops"$/],
    [{ consoleOrigin: 'http://console.example.org' }, /^Invalid -c consoleOrigin: must be an origin such as https:\/\/console.example.org/],
    [{ consoleOrigin: 'https://console.example.org/app' }, /^Invalid -c consoleOrigin: /],
    [
      { functionConcurrency: '{"households":{"reserved":5}}' },
      /^Invalid -c functionConcurrency: unknown function "households"; the functions are meta, tasks$/,
    ],
    [{ functionConcurrency: '{"tasks":{"reserved":0}}' }, /^Invalid -c functionConcurrency: tasks.reserved must be a positive whole number, got 0$/],
    [
      { functionConcurrency: '{"tasks":{"reserved":2,"provisioned":3}}' },
      /^Invalid -c functionConcurrency: tasks.provisioned \(3\) cannot exceed tasks.reserved \(2\)$/,
    ],
  ])('rejects %j with one line naming the flag', (overrides, message) => {
    const text = failure(overrides);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('accepts http only for a localhost console', () => {
    expect(read({ consoleOrigin: 'http://localhost:5173' }).consoleOrigin).toBe('http://localhost:5173');
  });

  it('makes `cdk synth` (infra/aws/app.ts) exit 1 printing only that line, without a stack trace', { timeout: 30_000 }, async () => {
    const entry = fileURLToPath(new URL('../../infra/aws/app.ts', import.meta.url));
    const run = promisify(execFile)(process.execPath, [entry], {
      // How the CDK CLI hands -c values to the app.
      env: { PATH: process.env.PATH ?? '', CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, ministryAccounts: 'KH=123' }) },
    });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: 'Invalid -c ministryAccounts: KH must be a 12-digit AWS account id, got "123"\n' });
  });
});
