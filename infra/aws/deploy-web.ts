/**
 * Uploads the web console to a deployed stack: builds `web/dist`, writes its `config.json`
 * (`{ mode: 'cognito', apiUrl, cognitoDomain, clientId, redirectUri }`) from the stack's
 * outputs, checks that the Content-Security-Policy the distribution sends allows the built
 * page's boot script (and refuses to deploy when it does not: see csp-check.ts), syncs the files
 * to the site bucket with `aws s3 sync` and invalidates the distribution. Needs the AWS CLI with
 * credentials for the account (like `cdk deploy`).
 *
 *   node infra/aws/deploy-web.ts [stack name, default Clearway-dev]
 *
 * A script instead of a `BucketDeployment` in the stack: that would add a Lambda function (with
 * its own role, log group and cdk-nag exceptions) to every environment only to copy static
 * files; here the copy runs with the deployer's own credentials, and nothing in the stack has
 * write access to the console's files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_CONFIG_FILE } from './constructs/web.ts';
import { cspMismatch } from './csp-check.ts';

const root = new URL('../../', import.meta.url).pathname;
const dist = join(root, 'web', 'dist');
const stackName = process.argv[2] ?? 'Clearway-dev';

const aws = (...args: string[]): string => execFileSync('aws', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

const described = JSON.parse(aws('cloudformation', 'describe-stacks', '--stack-name', stackName, '--output', 'json')) as {
  Stacks: { Outputs?: { OutputKey: string; OutputValue: string }[] }[];
};
const outputs = new Map((described.Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
const output = (key: string): string => {
  const value = outputs.get(key);
  if (!value) throw new Error(`stack ${stackName} has no output ${key}: deploy it first (npm run deploy)`);
  return value;
};

execFileSync(process.execPath, ['web/build.ts'], { cwd: root, stdio: 'inherit' });

// The CSP the distribution actually sends (its response headers policy, as deployed) must allow
// the boot script of this build, or browsers would refuse to start the console.
const distributionId = output('ConsoleDistributionId');
const distribution = JSON.parse(aws('cloudfront', 'get-distribution-config', '--id', distributionId, '--output', 'json')) as {
  DistributionConfig: { DefaultCacheBehavior: { ResponseHeadersPolicyId?: string } };
};
const policyId = distribution.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId;
if (!policyId) throw new Error(`distribution ${distributionId} has no response headers policy: deploy the stack first (npm run deploy)`);
const policy = JSON.parse(aws('cloudfront', 'get-response-headers-policy', '--id', policyId, '--output', 'json')) as {
  ResponseHeadersPolicy: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig?: { ContentSecurityPolicy?: { ContentSecurityPolicy?: string } } } };
};
const csp = policy.ResponseHeadersPolicy.ResponseHeadersPolicyConfig.SecurityHeadersConfig?.ContentSecurityPolicy?.ContentSecurityPolicy ?? '';
const mismatch = cspMismatch(readFileSync(join(dist, 'index.html'), 'utf8'), csp);
if (mismatch) {
  process.stderr.write(`deploy-web: not deployed: ${mismatch}\n`);
  process.exit(1);
}

const consoleConfig = {
  mode: 'cognito',
  apiUrl: output('ApiUrl').replace(/\/+$/, ''),
  cognitoDomain: output('CognitoDomain'),
  clientId: output('UserPoolClientId'),
  redirectUri: output('ConsoleUrl'),
};
writeFileSync(join(dist, CONSOLE_CONFIG_FILE), `${JSON.stringify(consoleConfig, null, 2)}\n`);

const bucket = `s3://${output('ConsoleBucketName')}`;
// Content-hashed files under assets/ never change: cached for a year. Everything else (the
// page, the service worker, the manifest, config.json, the outlines) is revalidated on every
// load, so a new release reaches the field as soon as a phone has signal (as `npm start` serves them).
aws('s3', 'sync', dist, bucket, '--only-show-errors', '--exclude', '*', '--include', 'assets/*', '--cache-control', 'public, max-age=31536000, immutable');
aws('s3', 'sync', dist, bucket, '--only-show-errors', '--exclude', 'assets/*', '--cache-control', 'no-cache');
// Old assets go last, once nothing new points at them.
aws('s3', 'sync', dist, bucket, '--only-show-errors', '--delete');
aws('cloudfront', 'create-invalidation', '--distribution-id', distributionId, '--paths', '/*', '--output', 'text');
console.log(`console deployed: ${output('ConsoleUrl')}`);
