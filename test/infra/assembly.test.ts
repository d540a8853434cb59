import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { AssetManifestArtifact, type CloudAssembly } from 'aws-cdk-lib/cx-api';
import { apiFunctions } from '../../functions/manifest.ts';
import { clearwayApp } from './app.ts';

/**
 * The one synthesis of this suite with real esbuild bundling, written to a temporary directory
 * as `cdk synth` writes `cdk.out`: the cdk-nag plugins and CDK's own template validation run,
 * and every function's asset is built the way it will be deployed.
 */
const run = promisify(execFile);
const outdir = mkdtempSync(join(tmpdir(), 'clearway-assembly-'));
const { app, stack } = clearwayApp({ outdir });
let assembly: CloudAssembly;

/** Stand-ins for the values CloudFormation fills in (names, ARNs, URLs), for the variables the stack sets (no network needed). */
const LAMBDA_ENV: Record<string, string> = {
  RUNTIME: 'aws',
  TABLE_NAME: 'x',
  AWS_REGION: 'ap-southeast-1',
  JWT_ISSUER: 'https://cognito-idp.ap-southeast-1.amazonaws.com/p',
  JWKS_URL: 'https://cognito-idp.ap-southeast-1.amazonaws.com/p/.well-known/jwks.json',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:000000000000:secret:x',
  // The console distribution's origin, which CloudFormation resolves when no consoleOrigin is given.
  CORS_ALLOWED_ORIGIN: 'https://d111111abcdef8.cloudfront.net',
};

/** Loaded before the bundle: any attempt to reach the network while importing it throws. */
const NO_NETWORK = `data:text/javascript,${encodeURIComponent(`
import dns from 'node:dns'; import net from 'node:net'; import tls from 'node:tls';
const deny = (what) => () => { throw new Error('network access while importing the handler: ' + what); };
net.Socket.prototype.connect = deny('net connect'); tls.connect = deny('tls.connect');
dns.lookup = deny('dns.lookup'); dns.promises.lookup = deny('dns.promises.lookup'); globalThis.fetch = deny('fetch');
`)}`;
const IMPORT_HANDLER = 'const m = await import(process.argv[1]); console.log(JSON.stringify({ handler: typeof m.handler, exports: Object.keys(m) }));';

beforeAll(() => {
  assembly = app.synth();
}, 180_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Asset {
  /** Directory of the bundled code. */
  readonly dir: string;
  /** The function's environment as the template sets it, with stand-ins for the values CloudFormation resolves. */
  readonly env: Record<string, string>;
}

/** Every function of the stack: the API functions, the publisher, the deliverers, the return-safety checks and the importer. */
const allFunctions = () =>
  new Map([
    ...stack.functions,
    ...[stack.publisher.function, ...stack.deliverers.functions.values(), stack.safetyChecks.function, stack.importer.function].map(
      (fn) => [fn.name, fn] as const,
    ),
  ]);

/** The asset of each function: the template's Code.S3Key, looked up in the stack's asset manifest. */
function assets(): Map<string, Asset> {
  const template = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const files = assembly.artifacts.filter(AssetManifestArtifact.isAssetManifestArtifact).flatMap((a) => Object.values(a.contents.files ?? {}));
  const found = new Map<string, Asset>();
  for (const [name, fn] of allFunctions()) {
    const properties = template.Resources[stack.getLogicalId(fn.fn.node.defaultChild as CfnElement)]?.Properties;
    const key = properties?.Code?.S3Key;
    const file = files.find((f) => Object.values(f.destinations).some((d) => d.objectKey === key));
    if (!file?.source.path) throw new Error(`no asset for the ${name} function (S3Key ${key})`);
    const variables = Object.entries(properties?.Environment?.Variables ?? {});
    const env = Object.fromEntries(variables.map(([k, v]) => [k, typeof v === 'string' ? v : (LAMBDA_ENV[k] ?? `stand-in-${k.toLowerCase()}`)]));
    found.set(name, { dir: join(assembly.directory, file.source.path), env: { AWS_REGION: LAMBDA_ENV.AWS_REGION!, ...env } });
  }
  return found;
}

describe('cloud assembly (cdk synth with bundling)', () => {
  it('synthesizes with the three cdk-nag packs and CDK template validation, reporting no violation', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: unknown[] }[] };
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(assembly.getStackByName(stack.stackName).template).toHaveProperty('Resources');
  });

  it('bundles each function (the manifest’s, the publisher, the deliverers, the return-safety checks, the importer) into an asset with an ESM index.mjs, each handler its own', () => {
    const found = assets();
    expect([...found.keys()].sort()).toEqual(
      [...apiFunctions.map((f) => f.name), 'publisher', 'safety', 'importer', ...[...stack.deliverers.functions.values()].map((fn) => fn.name)].sort(),
    );
    // The deliverers share one handler (and may share its asset); every other function has its own.
    const distinct = [...apiFunctions.map((f) => f.name), 'publisher', 'safety', 'importer', [...stack.deliverers.functions.values()][0]!.name].map(
      (name) => found.get(name)?.dir,
    );
    expect(new Set(distinct).size).toBe(distinct.length);
    for (const [name, { dir }] of found) {
      expect(existsSync(join(dir, 'index.mjs')), name).toBe(true);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code, name).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}|export\s*\{[^}]*\bhandler\b[^}]*\}/);
    }
  });

  it('exports a handler function from each asset when imported as Lambda would, with only the environment the stack gives it, without touching the network', {
    timeout: 60_000,
  }, async () => {
    const results = await Promise.all(
      [...assets()].map(async ([name, { dir, env }]) => {
        const { stdout } = await run(
          process.execPath,
          ['--import', NO_NETWORK, '--input-type=module', '-e', IMPORT_HANDLER, pathToFileURL(join(dir, 'index.mjs')).href],
          {
            cwd: dir,
            env: { ...env, PATH: process.env.PATH ?? '' },
            timeout: 45_000,
          },
        );
        return { name, ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { handler: string; exports: string[] }) };
      }),
    );
    for (const r of results) expect(r, r.name).toMatchObject({ handler: 'function', exports: expect.arrayContaining(['handler']) });
  });
});
