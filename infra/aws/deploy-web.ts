/**
 * Uploads the web console to a deployed stack: builds `web/dist`, writes its `config.json`
 * (`{ mode: 'cognito', apiUrl, cognitoDomain, clientId, redirectUri }`) from the stack's
 * outputs, syncs the files to the site bucket with `aws s3 sync` and invalidates the
 * distribution. Needs the AWS CLI with credentials for the account (like `cdk deploy`).
 *
 *   node infra/aws/deploy-web.ts [stack name, default Clearway-dev]
 *
 * A script instead of a `BucketDeployment` in the stack: that would add a Lambda function (with
 * its own role, log group and cdk-nag exceptions) to every environment only to copy static
 * files; here the copy runs with the deployer's own credentials, and nothing in the stack has
 * write access to the console's files.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_CONFIG_FILE } from './constructs/web.ts';

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
aws('cloudfront', 'create-invalidation', '--distribution-id', output('ConsoleDistributionId'), '--paths', '/*', '--output', 'text');
console.log(`console deployed: ${output('ConsoleUrl')}`);
